import type { FilterName } from '../../src/dashboard/types.js';
import type { FiltersResponse } from './api-types.js';
import { el, replace, select } from './dom.js';
import { formatDateTime } from './format.js';
import { FILTER_NAMES, type UiState } from './state.js';
import {
  presetLabel,
  RANGE_PRESETS,
  rangeLabel,
  REFRESH_CHOICES,
  resolveRange,
  type Refresh,
  type TimeRange,
} from './time.js';

/*
 * The toolbar: time range (presets and a custom from/to), auto-refresh, billing day and the filter
 * pickers. It only reports the next state; the app writes it to the URL and redraws.
 */

const FILTER_TITLES: Readonly<Record<FilterName, string>> = {
  machine: 'Machine',
  user: 'User',
  model: 'Model',
  session: 'Session',
  terminal: 'Terminal',
  service_version: 'Version',
};

export interface Toolbar {
  /** range picker and refresh, for the top bar */
  readonly time: HTMLElement;
  /** filter pickers and the billing day, for the bar under it */
  readonly filters: HTMLElement;
  /** the values each filter can take in the current range */
  setFilterOptions(options: FiltersResponse): void;
}

export interface ToolbarOptions {
  readonly state: UiState;
  readonly onChange: (next: UiState) => void;
  readonly onRefreshNow: () => void;
  /** the billing day only matters on the dashboard */
  readonly showBillingDay: boolean;
}

function rangePicker(state: UiState, onChange: (range: TimeRange) => void): HTMLElement {
  const button = el(
    'button',
    { type: 'button', class: 'range-button', 'aria-haspopup': 'true', 'data-testid': 'range-button' },
    el('span', { class: 'icon-clock', 'aria-hidden': 'true' }),
    rangeLabel(state.range),
  );
  const now = Date.now();
  const resolved = resolveRange(state.range, now);
  const initial =
    state.range.kind === 'custom'
      ? state.range
      : typeof resolved === 'string'
        ? { from: 'now-8h', to: 'now' }
        : { from: `now-${state.range.preset}`, to: 'now' };
  const from = el('input', { type: 'text', name: 'from', value: initial.from, 'aria-label': 'From' });
  const to = el('input', { type: 'text', name: 'to', value: initial.to, 'aria-label': 'To' });
  const message = el('p', { class: 'form-error', role: 'alert' });
  const custom = el(
    'form',
    { class: 'range-custom' },
    el('h4', {}, 'Custom range'),
    el('label', {}, 'From', from),
    el('label', {}, 'To', to),
    el('p', { class: 'hint' }, 'now, now-6h, 2026-03-04 10:00 (local time) or ISO with a zone'),
    message,
    el('button', { type: 'submit', class: 'primary' }, 'Apply time range'),
  );
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    const range: TimeRange = { kind: 'custom', from: from.value.trim(), to: to.value.trim() || 'now' };
    const check = resolveRange(range, Date.now());
    if (typeof check === 'string') {
      replace(message, check);
      return;
    }
    close();
    onChange(range);
  });
  const presets = el(
    'ul',
    { class: 'range-presets' },
    ...RANGE_PRESETS.map((preset) => {
      const item = el(
        'button',
        {
          type: 'button',
          class: state.range.kind === 'preset' && state.range.preset === preset ? 'active' : undefined,
          'data-preset': preset,
        },
        presetLabel(preset),
      );
      item.addEventListener('click', () => {
        close();
        onChange({ kind: 'preset', preset });
      });
      return el('li', {}, item);
    }),
  );
  if (typeof resolved !== 'string') {
    const span = `${formatDateTime(resolved.fromMs)} – ${formatDateTime(resolved.toMs)}`;
    button.title = span;
  }
  const popover = el('div', { class: 'range-popover' }, custom, presets);
  popover.hidden = true;
  const wrap = el('div', { class: 'range-picker' }, button, popover);
  const onOutside = (event: MouseEvent): void => {
    if (!wrap.contains(event.target as Node)) close();
  };
  const onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') close();
  };
  function close(): void {
    popover.hidden = true;
    document.removeEventListener('mousedown', onOutside);
    document.removeEventListener('keydown', onKey);
  }
  button.addEventListener('click', () => {
    if (!popover.hidden) return close();
    popover.hidden = false;
    document.addEventListener('mousedown', onOutside);
    document.addEventListener('keydown', onKey);
  });
  return wrap;
}

export function createToolbar(options: ToolbarOptions): Toolbar {
  const { state, onChange } = options;
  const refresh = select(
    { 'aria-label': 'Auto-refresh', name: 'refresh', title: 'Auto-refresh' },
    REFRESH_CHOICES.map((r) => ({ value: r, label: r === 'off' ? 'Auto-refresh off' : `Every ${r}` })),
    state.refresh,
    (value) => onChange({ ...state, refresh: value as Refresh }),
  );
  const refreshNow = el('button', { type: 'button', class: 'icon-button', title: 'Refresh now' }, '↻');
  refreshNow.addEventListener('click', options.onRefreshNow);
  const billing = select(
    { 'aria-label': 'Billing day', name: 'billingDay' },
    Array.from({ length: 28 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })),
    String(state.billingDay),
    (value) => onChange({ ...state, billingDay: Number(value) }),
  );
  const filterSlots = new Map<FilterName, HTMLElement>();
  const filters = el(
    'div',
    { class: 'filters' },
    ...FILTER_NAMES.map((name) => {
      const slot = el('span', { class: 'filter-slot' });
      filterSlots.set(name, slot);
      return el(
        'label',
        { class: 'filter' },
        el('span', { class: 'filter-name' }, FILTER_TITLES[name]),
        slot,
      );
    }),
    options.showBillingDay
      ? el(
          'label',
          { class: 'filter', title: 'The day of the month a billing cycle starts (panels 1 and 2)' },
          el('span', { class: 'filter-name' }, 'Billing day'),
          billing,
        )
      : null,
  );
  const time = el(
    'div',
    { class: 'time-controls' },
    rangePicker(state, (range) => onChange({ ...state, range })),
    refresh,
    refreshNow,
  );
  const setFilterOptions = (available: FiltersResponse): void => {
    for (const name of FILTER_NAMES) {
      const current = state.filters[name] ?? '';
      const values = (available[name] ?? []).filter((v) => v !== '');
      // A value from a shared URL stays selectable even when the range has no data for it.
      if (current !== '' && !values.includes(current)) values.unshift(current);
      const picker = select(
        { name, 'aria-label': FILTER_TITLES[name], 'data-filter': name },
        [{ value: '', label: 'All' }, ...values.map((v) => ({ value: v, label: v }))],
        current,
        (value) => {
          const next = { ...state.filters };
          if (value === '') delete next[name];
          else next[name] = value;
          onChange({ ...state, filters: next });
        },
      );
      picker.classList.toggle('active', current !== '');
      replace(filterSlots.get(name) ?? picker, picker);
    }
  };
  setFilterOptions({});
  return { time, filters, setFilterOptions };
}
