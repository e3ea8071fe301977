import type { FilterName } from '../../src/dashboard/types.js';
import { isPreset, isRefresh, type Refresh, type TimeRange } from './time.js';

/*
 * Everything a view depends on lives in the URL's fragment, so a view can be reloaded and shared:
 * "#/sessions?range=24h&refresh=off&machine=laptop". Pure: parse and format only.
 */

export const FILTER_NAMES: readonly FilterName[] = [
  'machine',
  'user',
  'model',
  'session',
  'terminal',
  'service_version',
];

export type Page =
  | { readonly name: 'dashboard' }
  | { readonly name: 'sessions' }
  | { readonly name: 'session'; readonly id: string }
  | { readonly name: 'alerts' };

export interface UiState {
  readonly page: Page;
  readonly range: TimeRange;
  readonly refresh: Refresh;
  /** 1..28 */
  readonly billingDay: number;
  readonly filters: Readonly<Partial<Record<FilterName, string>>>;
}

export const DEFAULT_STATE: UiState = {
  page: { name: 'dashboard' },
  range: { kind: 'preset', preset: '8h' },
  refresh: '30s',
  billingDay: 1,
  filters: {},
};

function parsePage(path: string): Page {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'sessions' && parts.length === 2) {
    try {
      return { name: 'session', id: decodeURIComponent(parts[1] ?? '') };
    } catch {
      return { name: 'sessions' };
    }
  }
  if (parts[0] === 'sessions') return { name: 'sessions' };
  if (parts[0] === 'alerts') return { name: 'alerts' };
  return { name: 'dashboard' };
}

function pagePath(page: Page): string {
  switch (page.name) {
    case 'dashboard':
      return '/';
    case 'sessions':
      return '/sessions';
    case 'session':
      return `/sessions/${encodeURIComponent(page.id)}`;
    case 'alerts':
      return '/alerts';
  }
}

/** The state in a fragment ("#/path?query"); anything missing or invalid takes the default. */
export function parseState(hash: string, defaults: UiState = DEFAULT_STATE): UiState {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const preset = params.get('range') ?? '';
  const from = params.get('from');
  const to = params.get('to');
  const range: TimeRange =
    from !== null && from !== ''
      ? { kind: 'custom', from, to: to !== null && to !== '' ? to : 'now' }
      : isPreset(preset)
        ? { kind: 'preset', preset }
        : defaults.range;
  const refresh = params.get('refresh') ?? '';
  const day = Number(params.get('billingDay'));
  const filters: Partial<Record<FilterName, string>> = {};
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  return {
    page: parsePage(path),
    range,
    refresh: isRefresh(refresh) ? refresh : defaults.refresh,
    billingDay: Number.isInteger(day) && day >= 1 && day <= 28 ? day : defaults.billingDay,
    filters,
  };
}

/** The query part shared by every page: range, refresh, billing day and filters. */
export function stateQuery(state: UiState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.range.kind === 'preset') params.set('range', state.range.preset);
  else {
    params.set('from', state.range.from);
    params.set('to', state.range.to);
  }
  params.set('refresh', state.refresh);
  params.set('billingDay', String(state.billingDay));
  for (const name of FILTER_NAMES) {
    const value = state.filters[name];
    if (value !== undefined && value !== '') params.set(name, value);
  }
  return params;
}

export function formatState(state: UiState): string {
  return `#${pagePath(state.page)}?${stateQuery(state).toString()}`;
}

/** A link to another page that keeps the range and filters. */
export function pageHref(state: UiState, page: Page): string {
  return formatState({ ...state, page });
}
