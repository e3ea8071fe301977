import { FILTER_NAMES, type UiState } from './state.js';

/** The browser's IANA time zone: billing cycles and hour buckets follow the user's clock. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** from, to and tz for an API call, plus the billing day and filters when asked. */
export function apiParams(
  state: UiState,
  range: { readonly fromMs: number; readonly toMs: number },
  extra: { readonly filters?: boolean; readonly billingDay?: boolean } = {},
): URLSearchParams {
  const params = new URLSearchParams({
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    tz: browserTimeZone(),
  });
  if (extra.billingDay === true) params.set('billingDay', String(state.billingDay));
  if (extra.filters === true) {
    for (const name of FILTER_NAMES) {
      const value = state.filters[name];
      if (value !== undefined && value !== '') params.set(name, value);
    }
  }
  return params;
}
