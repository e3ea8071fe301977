import type { DashboardInfo } from './api-types.js';
import { el } from './dom.js';
import type { UiState } from './state.js';

/** What every page gets from the app shell. */
export interface PageContext {
  readonly state: UiState;
  readonly dashboard: DashboardInfo;
  /** the range resolved when the page was drawn or last refreshed */
  readonly range: () => { readonly fromMs: number; readonly toMs: number };
  readonly navigate: (next: UiState) => void;
}

/** A page the shell shows, refreshes on its timer and disposes when the URL changes. */
export interface PageView {
  readonly root: HTMLElement;
  refresh(): void;
  dispose(): void;
}

/** An error box inside a page: the message is text, never markup. */
export function errorBox(message: string): HTMLElement {
  return el('div', { class: 'page-error', role: 'alert' }, message);
}

/**
 * Runs `load` so that only the answer to the latest call is used: a slow answer for an old range must
 * not overwrite a newer one.
 */
export function latestOnly<T>(
  load: () => Promise<T>,
  use: (value: T) => void,
  fail: (error: unknown) => void,
) {
  let generation = 0;
  return (): void => {
    const mine = ++generation;
    load().then(
      (value) => mine === generation && use(value),
      (error: unknown) => mine === generation && fail(error),
    );
  };
}
