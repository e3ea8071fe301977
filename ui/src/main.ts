import { alertsPage } from './alerts-page.js';
import { apiGet } from './api.js';
import type { DashboardInfo, FiltersResponse } from './api-types.js';
import { createToolbar, type Toolbar } from './controls.js';
import { dashboardPage } from './dashboard-page.js';
import { el, replace } from './dom.js';
import { errorBox, type PageContext, type PageView } from './page.js';
import { apiParams } from './query.js';
import { sessionPage } from './session-page.js';
import { sessionsPage } from './sessions-page.js';
import type { SetupInfo } from './setup-block.js';
import { setupCard } from './setup-card.js';
import { DEFAULT_STATE, formatState, pageHref, parseState, type Page, type UiState } from './state.js';
import { isPreset, isRefresh, refreshMs, resolveRange } from './time.js';

/*
 * The app shell: reads the state from the URL, draws the navigation, the toolbar and the page, runs
 * the auto-refresh timer, and shows the setup instructions while the store is empty. Every change of
 * state goes through the URL (navigate -> hashchange -> render), so what is on screen is what a
 * reload or a shared link shows.
 */

const app = document.getElementById('app') ?? document.body;
const TEN_YEARS_MS = 10 * 365 * 86_400_000;

interface Mounted {
  readonly page: PageView;
  readonly toolbar: Toolbar;
  readonly setupSlot: HTMLElement;
  readonly timer: number | undefined;
  range: { fromMs: number; toMs: number };
  readonly state: UiState;
}

let dashboard: DashboardInfo;
let defaults: UiState = DEFAULT_STATE;
let mounted: Mounted | undefined;
let setupInfo: SetupInfo | undefined;

function defaultsFrom(info: DashboardInfo): UiState {
  const d = info.defaults;
  return {
    ...DEFAULT_STATE,
    range: isPreset(d.range) ? { kind: 'preset', preset: d.range } : DEFAULT_STATE.range,
    refresh: isRefresh(d.refresh) ? d.refresh : DEFAULT_STATE.refresh,
    billingDay: Number.isInteger(d.billingDay) && d.billingDay >= 1 && d.billingDay <= 28 ? d.billingDay : 1,
  };
}

function navigate(next: UiState): void {
  location.hash = formatState(next);
}

const PAGE_TITLES: Readonly<Record<Page['name'], string>> = {
  dashboard: 'Dashboard',
  sessions: 'Sessions',
  session: 'Session',
  alerts: 'Alerts',
};

function nav(state: UiState, controls: HTMLElement): HTMLElement {
  const tab = (page: Page, label: string, active: boolean): HTMLElement =>
    el('a', { href: pageHref(state, page), class: active ? 'tab active' : 'tab' }, label);
  const name = state.page.name;
  return el(
    'header',
    { class: 'topbar' },
    el(
      'a',
      { href: pageHref(state, { name: 'dashboard' }), class: 'brand' },
      el('span', { class: 'logo' }),
      'ccmon',
    ),
    el(
      'nav',
      { class: 'tabs' },
      tab({ name: 'dashboard' }, 'Dashboard', name === 'dashboard'),
      tab({ name: 'sessions' }, 'Sessions', name === 'sessions' || name === 'session'),
      tab({ name: 'alerts' }, 'Alerts', name === 'alerts'),
    ),
    controls,
  );
}

function pageFor(ctx: PageContext): PageView {
  const page = ctx.state.page;
  switch (page.name) {
    case 'dashboard':
      return dashboardPage(ctx);
    case 'sessions':
      return sessionsPage(ctx);
    case 'session':
      return sessionPage(ctx, page.id);
    case 'alerts':
      return alertsPage(ctx);
  }
}

/** Filter choices for the range; when the range has none, whether the store has anything at all. */
async function loadFilters(m: Mounted): Promise<void> {
  try {
    const options = await apiGet<FiltersResponse>('/api/v1/filters', apiParams(m.state, m.range));
    if (mounted !== m) return;
    m.toolbar.setFilterOptions(options);
    const empty = (f: FiltersResponse): boolean =>
      Object.values(f).every((v) => v === undefined || v.length === 0);
    let nothing = false;
    if (empty(options)) {
      const now = Date.now();
      nothing = empty(
        await apiGet<FiltersResponse>(
          '/api/v1/filters',
          apiParams(m.state, { fromMs: now - TEN_YEARS_MS, toMs: now + 3_600_000 }),
        ),
      );
    }
    if (nothing) setupInfo ??= await apiGet<SetupInfo>('/api/v1/setup');
    if (mounted !== m) return;
    if (nothing && setupInfo !== undefined) replace(m.setupSlot, setupCard(setupInfo));
    else replace(m.setupSlot);
  } catch {
    // The panels show their own errors; the filters keep their last choices.
  }
}

function render(): void {
  const state = parseState(location.hash, defaults);
  const canonical = formatState(state);
  if (location.hash !== canonical) history.replaceState(null, '', canonical);
  if (mounted !== undefined) {
    mounted.page.dispose();
    clearInterval(mounted.timer);
  }
  const resolved = resolveRange(state.range, Date.now());
  const rangeError = typeof resolved === 'string' ? resolved : undefined;
  const fallback = resolveRange(defaults.range, Date.now());
  let range =
    typeof resolved === 'string'
      ? typeof fallback === 'string'
        ? { fromMs: 0, toMs: Date.now() }
        : fallback
      : resolved;
  const ctx: PageContext = { state, dashboard, range: () => range, navigate };
  const toolbar = createToolbar({
    state,
    onChange: navigate,
    onRefreshNow: () => refresh(),
    showBillingDay: state.page.name === 'dashboard',
  });
  const page = pageFor(ctx);
  const setupSlot = el('div', { class: 'setup-slot' });
  const every = refreshMs(state.refresh);
  const m: Mounted = {
    page,
    toolbar,
    setupSlot,
    state,
    range,
    timer: every === undefined ? undefined : window.setInterval(() => refresh(), every),
  };
  mounted = m;
  document.title = `${PAGE_TITLES[state.page.name]} · ccmon`;
  replace(
    app,
    el(
      'div',
      { class: 'header' },
      nav(state, toolbar.time),
      el('div', { class: 'toolbar' }, toolbar.filters),
    ),
    el(
      'main',
      { class: 'content' },
      rangeError === undefined ? null : errorBox(`Time range: ${rangeError}`),
      setupSlot,
      page.root,
    ),
  );
  void loadFilters(m);

  function refresh(): void {
    if (mounted !== m) return;
    // A relative range moves with the clock.
    const next = resolveRange(state.range, Date.now());
    if (typeof next !== 'string') range = next;
    m.range = range;
    page.refresh();
    void loadFilters(m);
  }
}

async function boot(): Promise<void> {
  replace(app, el('div', { class: 'boot' }, 'Loading ccmon…'));
  try {
    dashboard = await apiGet<DashboardInfo>('/api/v1/dashboard');
  } catch (error) {
    replace(
      app,
      el(
        'main',
        { class: 'content' },
        errorBox(
          `The dashboard definition could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
    );
    return;
  }
  defaults = defaultsFrom(dashboard);
  window.addEventListener('hashchange', render);
  render();
}

void boot();
