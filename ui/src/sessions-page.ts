import { apiGet } from './api.js';
import type { SessionRow, SessionsResponse } from './api-types.js';
import { el, replace } from './dom.js';
import { formatDuration, formatShort, formatTime, formatUsd } from './format.js';
import { errorBox, latestOnly, type PageContext, type PageView } from './page.js';
import { apiParams } from './query.js';
import { pageHref } from './state.js';

/* The sessions in the range, newest first, sortable; a row opens the session's timeline. */

interface Column {
  readonly title: string;
  readonly numeric?: boolean;
  readonly sortKey: (row: SessionRow) => number | string;
  readonly cell: (row: SessionRow) => string;
}

const num = (value: number | null | undefined): number => (typeof value === 'number' ? value : 0);
const str = (value: string | null | undefined): string => value ?? '';
const timeOf = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : NaN);

const COLUMNS: readonly Column[] = [
  {
    title: 'Started',
    sortKey: (r) => timeOf(r.started) || 0,
    cell: (r) => (Number.isFinite(timeOf(r.started)) ? formatTime(timeOf(r.started)) : '–'),
  },
  {
    title: 'Duration',
    numeric: true,
    sortKey: (r) => num(r.duration_s),
    cell: (r) => formatDuration(num(r.duration_s)),
  },
  { title: 'Cost', numeric: true, sortKey: (r) => num(r.cost_usd), cell: (r) => formatUsd(num(r.cost_usd)) },
  { title: 'Tokens', numeric: true, sortKey: (r) => num(r.tokens), cell: (r) => formatShort(num(r.tokens)) },
  { title: 'Prompts', numeric: true, sortKey: (r) => num(r.prompts), cell: (r) => String(num(r.prompts)) },
  {
    title: 'API calls',
    numeric: true,
    sortKey: (r) => num(r.api_requests),
    cell: (r) => String(num(r.api_requests)),
  },
  {
    title: 'Tools',
    numeric: true,
    sortKey: (r) => num(r.tool_calls),
    cell: (r) => String(num(r.tool_calls)),
  },
  { title: 'Errors', numeric: true, sortKey: (r) => num(r.errors), cell: (r) => String(num(r.errors)) },
  { title: 'Model', sortKey: (r) => str(r.model), cell: (r) => str(r.model) || '–' },
  { title: 'Machine', sortKey: (r) => str(r.machine), cell: (r) => str(r.machine) || '–' },
  { title: 'User', sortKey: (r) => str(r.user), cell: (r) => str(r.user) || '–' },
];

export function sessionsPage(ctx: PageContext): PageView {
  const content = el('div', { class: 'panel page-panel' }, el('div', { class: 'panel-note' }, 'Loading…'));
  const root = el('div', { class: 'sessions-page' }, el('h1', { class: 'page-title' }, 'Sessions'), content);
  let rows: readonly SessionRow[] = [];
  let sortBy = 0;
  let descending = true;

  const draw = (): void => {
    if (rows.length === 0) {
      replace(content, el('div', { class: 'panel-note' }, 'No sessions in this range.'));
      return;
    }
    const column = COLUMNS[sortBy] ?? COLUMNS[0];
    const sorted = [...rows].sort((a, b) => {
      const x = column?.sortKey(a) ?? 0;
      const y = column?.sortKey(b) ?? 0;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    const head = el(
      'tr',
      {},
      ...COLUMNS.map((c, i) => {
        const th = el(
          'th',
          {
            class: `sortable${c.numeric === true ? ' num' : ''}`,
            'aria-sort': i === sortBy ? (descending ? 'descending' : 'ascending') : undefined,
          },
          c.title,
          i === sortBy ? (descending ? ' ▾' : ' ▴') : '',
        );
        th.addEventListener('click', () => {
          descending = i === sortBy ? !descending : true;
          sortBy = i;
          draw();
        });
        return th;
      }),
      el('th', {}, 'Session'),
    );
    const body = sorted.map((row) => {
      const href = pageHref(ctx.state, { name: 'session', id: row.session_id });
      const tr = el(
        'tr',
        { class: 'clickable', 'data-session-id': row.session_id },
        ...COLUMNS.map((c) => el('td', { class: c.numeric === true ? 'num' : undefined }, c.cell(row))),
        el('td', {}, el('a', { href, class: 'mono', title: row.session_id }, row.session_id.slice(0, 8))),
      );
      tr.addEventListener('click', (event) => {
        if ((event.target as Element).closest('a') === null) location.hash = href;
      });
      return tr;
    });
    replace(
      content,
      el(
        'div',
        { class: 'scroll' },
        el('table', { class: 'grid-table' }, el('thead', {}, head), el('tbody', {}, ...body)),
      ),
    );
  };

  const load = latestOnly(
    () => {
      const params = apiParams(ctx.state, ctx.range(), { filters: true });
      params.set('limit', '500');
      return apiGet<SessionsResponse>('/api/v1/sessions', params);
    },
    (answer) => {
      rows = answer.sessions;
      draw();
    },
    (error) => replace(content, errorBox(error instanceof Error ? error.message : String(error))),
  );
  load();
  return { root, refresh: load, dispose: () => undefined };
}
