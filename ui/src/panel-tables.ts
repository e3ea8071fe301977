import type { PanelData } from '../../src/dashboard/panel-data.js';
import type { Dimension, LogColumn, Unit } from '../../src/dashboard/types.js';
import { el } from './dom.js';
import { formatMs, formatTime, formatUsd, formatValue } from './format.js';
import { pageHref, type UiState } from './state.js';

/*
 * The DOM-drawn panel bodies: stat numbers, breakdown tables and event logs. All text from telemetry
 * goes in through el()'s text nodes.
 */

type Breakdown = Extract<PanelData, { kind: 'breakdown' }>;
type Log = Extract<PanelData, { kind: 'log' }>;

export const DIMENSION_TITLES: Readonly<Record<Dimension, string>> = {
  model: 'Model',
  type: 'Type',
  user: 'User',
  machine: 'Machine',
  tool_name: 'Tool',
  language: 'Language',
  decision: 'Decision',
  status: 'Status',
};

const LOG_TITLES: Readonly<Record<LogColumn, string>> = {
  time: 'Time',
  name: 'Event',
  session: 'Session',
  user: 'User',
  machine: 'Machine',
  model: 'Model',
  tool_name: 'Tool',
  success: 'Result',
  duration_ms: 'Duration',
  cost_usd: 'Cost',
  status: 'Status',
};

/** Event names with their own badge colour; anything else is drawn as "other". */
const KNOWN_EVENTS = new Set(['user_prompt', 'api_request', 'api_error', 'tool_result', 'tool_decision']);

export function eventBadge(name: string): HTMLElement {
  return el('span', { class: `badge ev-${KNOWN_EVENTS.has(name) ? name : 'other'}` }, name);
}

/** A label value as shown: empty and missing values are named, not blank. */
export function labelText(value: string | null | undefined): string {
  return value === undefined || value === null || value === '' ? '(none)' : value;
}

/** Big number; the exact value stays in data-value for copying and for tests. */
export function statBody(value: number, unit: Unit, tone: string): HTMLElement {
  return el(
    'div',
    { class: `stat tone-${tone}` },
    el(
      'span',
      { class: 'stat-value', 'data-value': String(value), title: String(value) },
      formatValue(value, unit),
    ),
  );
}

/** Rows with a bar showing each value's share of the largest. */
export function breakdownTable(data: Breakdown, unit: Unit): HTMLElement {
  const rows = [...data.rows].sort((a, b) => b.value - a.value);
  const top = Math.max(0, ...rows.map((r) => r.value));
  const valueTitle = unit === 'currencyUSD' ? 'Cost' : 'Total';
  const head = el(
    'tr',
    {},
    ...data.by.map((d) => el('th', {}, DIMENSION_TITLES[d])),
    el('th', { class: 'num' }, valueTitle),
  );
  const body = rows.map((row) => {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${top > 0 ? Math.max(1, (row.value / top) * 100) : 0}%`;
    return el(
      'tr',
      {},
      ...data.by.map((d) => el('td', {}, labelText(row.labels[d]))),
      el(
        'td',
        { class: 'num bar-cell', 'data-value': String(row.value) },
        bar,
        el('span', { class: 'bar-text' }, formatValue(row.value, unit)),
      ),
    );
  });
  return el('table', { class: 'grid-table' }, el('thead', {}, head), el('tbody', {}, ...body));
}

function logCell(
  column: LogColumn,
  value: string | number | boolean | null | undefined,
  state: UiState,
): Node {
  if (value === null || value === undefined || value === '') return el('span', { class: 'muted' }, '–');
  switch (column) {
    case 'time': {
      const ms = Date.parse(String(value));
      return el('span', { title: String(value) }, Number.isFinite(ms) ? formatTime(ms) : String(value));
    }
    case 'name':
      return eventBadge(String(value));
    case 'success': {
      const ok = value === true || value === 'true';
      return el('span', { class: ok ? 'ok' : 'fail' }, ok ? '✓ ok' : '✗ failed');
    }
    case 'duration_ms':
      return el('span', {}, typeof value === 'number' ? formatMs(value) : String(value));
    case 'cost_usd':
      return el('span', {}, typeof value === 'number' ? formatUsd(value) : String(value));
    case 'session': {
      const id = String(value);
      return el(
        'a',
        { href: pageHref(state, { name: 'session', id }), title: id, class: 'mono' },
        id.length > 8 ? id.slice(0, 8) : id,
      );
    }
    default:
      return el('span', {}, String(value));
  }
}

export function logTable(data: Log, state: UiState): HTMLElement {
  const numeric = new Set<LogColumn>(['duration_ms', 'cost_usd']);
  const head = el(
    'tr',
    {},
    ...data.columns.map((c) => el('th', { class: numeric.has(c) ? 'num' : undefined }, LOG_TITLES[c])),
  );
  const body = data.rows.map((row) =>
    el(
      'tr',
      {},
      ...data.columns.map((c) =>
        el('td', { class: numeric.has(c) ? 'num' : undefined }, logCell(c, row[c], state)),
      ),
    ),
  );
  return el('table', { class: 'grid-table log-table' }, el('thead', {}, head), el('tbody', {}, ...body));
}
