import { apiGet, ApiError } from './api.js';
import type { AlertsResponse } from './api-types.js';
import { el, replace } from './dom.js';
import { formatShort, formatTime } from './format.js';
import { errorBox, latestOnly, type PageContext, type PageView } from './page.js';

/* Alert rules with their state, and the history of state changes; "not configured" when ccmon has none. */

const STATES = new Set(['inactive', 'pending', 'firing']);

function stateBadge(state: string): HTMLElement {
  return el('span', { class: `badge state-${STATES.has(state) ? state : 'unknown'}` }, state);
}

function when(iso: string | null | undefined): string {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? formatTime(ms) : '–';
}

function value(v: number | null | undefined): string {
  return typeof v === 'number' ? formatShort(v) : '–';
}

function labelText(labels: Readonly<Record<string, string>> | null | undefined): string {
  const pairs = Object.entries(labels ?? {});
  return pairs.length === 0 ? '' : pairs.map(([k, v]) => `${k}=${v}`).join(', ');
}

function draw(answer: AlertsResponse): HTMLElement[] {
  const order = { firing: 0, pending: 1, inactive: 2 } as const;
  const rules = [...answer.rules].sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3));
  const firing = rules.filter((r) => r.state === 'firing').length;
  const rulesTable =
    rules.length === 0
      ? el('div', { class: 'panel-note' }, 'No alert rules are defined.')
      : el(
          'table',
          { class: 'grid-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...['State', 'Rule', 'Labels', 'Severity', 'Value', 'Active since', 'Summary'].map((t) =>
                el('th', {}, t),
              ),
            ),
          ),
          el(
            'tbody',
            {},
            ...rules.map((r) =>
              el(
                'tr',
                { 'data-rule': r.name },
                el('td', {}, stateBadge(r.state)),
                el('td', { title: r.description ?? '' }, r.name),
                el('td', { class: 'mono' }, labelText(r.labels)),
                el('td', {}, r.severity ?? '–'),
                el('td', { class: 'num' }, value(r.value)),
                el('td', {}, r.state === 'inactive' ? '–' : when(r.activeAt)),
                el(
                  'td',
                  {},
                  r.summary ?? '',
                  r.description ? el('div', { class: 'muted small' }, r.description) : null,
                ),
              ),
            ),
          ),
        );
  const history = [...answer.history].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  const historyTable =
    history.length === 0
      ? el('div', { class: 'panel-note' }, 'No state changes yet.')
      : el(
          'table',
          { class: 'grid-table' },
          el(
            'thead',
            {},
            el('tr', {}, ...['Time', 'Rule', 'Labels', 'From', 'To', 'Value'].map((t) => el('th', {}, t))),
          ),
          el(
            'tbody',
            {},
            ...history.map((h) =>
              el(
                'tr',
                {},
                el('td', {}, when(h.time)),
                el('td', {}, h.rule),
                el('td', { class: 'mono' }, labelText(h.labels)),
                el('td', {}, stateBadge(h.from)),
                el('td', {}, stateBadge(h.to)),
                el('td', { class: 'num' }, value(h.value)),
              ),
            ),
          ),
        );
  return [
    el(
      'section',
      { class: 'panel page-panel' },
      el(
        'header',
        { class: 'panel-header' },
        el('h3', { class: 'panel-title' }, `Rules (${rules.length}, ${firing} firing)`),
      ),
      el('div', { class: 'scroll' }, rulesTable),
    ),
    el(
      'section',
      { class: 'panel page-panel' },
      el('header', { class: 'panel-header' }, el('h3', { class: 'panel-title' }, 'History')),
      el('div', { class: 'scroll' }, historyTable),
    ),
  ];
}

export function alertsPage(_ctx: PageContext): PageView {
  const body = el('div', { class: 'alerts-body' }, el('div', { class: 'panel-note' }, 'Loading…'));
  const root = el('div', { class: 'alerts-page' }, el('h1', { class: 'page-title' }, 'Alerts'), body);
  const load = latestOnly(
    () => apiGet<AlertsResponse>('/api/v1/alerts'),
    (answer) => replace(body, ...draw(answer)),
    (error) => {
      if (error instanceof ApiError && error.status === 404) {
        replace(
          body,
          el(
            'div',
            { class: 'notice', 'data-testid': 'alerts-not-configured' },
            el('h2', {}, 'Alerts not configured'),
            el(
              'p',
              {},
              'This ccmon evaluates no alert rules. Configure rules for ccmon serve, then this page lists their state.',
            ),
          ),
        );
      } else replace(body, errorBox(error instanceof Error ? error.message : String(error)));
    },
  );
  load();
  return { root, refresh: load, dispose: () => undefined };
}
