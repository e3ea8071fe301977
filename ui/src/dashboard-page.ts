import type { SectionId } from '../../src/dashboard/types.js';
import { apiGet } from './api.js';
import type { PanelsResponse } from './api-types.js';
import { el } from './dom.js';
import { latestOnly, type PageContext, type PageView } from './page.js';
import { PanelView } from './panel.js';
import { apiParams } from './query.js';

/*
 * The dashboard: 8 collapsible sections on a 24-column grid. Each open section loads its panels in one
 * request; a collapsed one loads when it is opened, and after a refresh or a new range it is marked
 * stale rather than loaded behind the user's back.
 */

/** Open and closed sections survive changes of range and filters (which redraw the page) in this tab. */
const openSections = new Map<SectionId, boolean>();

interface SectionView {
  readonly id: SectionId;
  readonly root: HTMLElement;
  readonly panels: readonly PanelView[];
  open: boolean;
  /** the refresh round whose data this section shows */
  loadedRound: number;
  load: () => void;
}

export function dashboardPage(ctx: PageContext): PageView {
  let round = 0;
  const sections: SectionView[] = ctx.dashboard.sections.map((section) => {
    const panels = ctx.dashboard.panels.filter((p) => p.section === section.id).map((p) => new PanelView(p));
    const grid = el('div', { class: 'panel-grid' }, ...panels.map((p) => p.root));
    const chevron = el('span', { class: 'chevron', 'aria-hidden': 'true' });
    const header = el(
      'button',
      { type: 'button', class: 'section-header', 'aria-expanded': 'false', 'data-section': section.id },
      chevron,
      el('span', { class: 'section-title' }, section.title),
      el('span', { class: 'section-count' }, `${panels.length} ${panels.length === 1 ? 'panel' : 'panels'}`),
    );
    const root = el('section', { class: 'dash-section', 'data-section-id': section.id }, header, grid);
    const view: SectionView = {
      id: section.id,
      root,
      panels,
      open: openSections.get(section.id) ?? section.open,
      loadedRound: -1,
      load: latestOnly(
        () => {
          for (const p of panels) p.setLoading(true);
          const params = apiParams(ctx.state, ctx.range(), { filters: true, billingDay: true });
          params.set('ids', panels.map((p) => p.info.id).join(','));
          return apiGet<PanelsResponse>('/api/v1/panels', params);
        },
        (answer) => {
          const range = ctx.range();
          for (const p of panels) {
            const data = answer.panels[String(p.info.id)];
            if (data === undefined) p.setError('no data in the answer');
            else if ('error' in data) p.setError(data.error);
            else p.setData(data, { ...range, state: ctx.state });
          }
        },
        (error) => {
          for (const p of panels) p.setError(error instanceof Error ? error.message : String(error));
        },
      ),
    };
    const apply = (): void => {
      root.classList.toggle('open', view.open);
      header.setAttribute('aria-expanded', String(view.open));
      grid.hidden = !view.open;
      if (view.open && view.loadedRound !== round) {
        view.loadedRound = round;
        view.load();
      }
    };
    header.addEventListener('click', () => {
      view.open = !view.open;
      openSections.set(section.id, view.open);
      apply();
    });
    apply();
    return view;
  });

  const root = el(
    'div',
    { class: 'dashboard' },
    el('h1', { class: 'page-title' }, ctx.dashboard.title),
    ...sections.map((s) => s.root),
  );
  return {
    root,
    refresh() {
      round += 1;
      for (const s of sections) {
        if (!s.open) continue;
        s.loadedRound = round;
        s.load();
      }
    },
    dispose() {
      for (const s of sections) for (const p of s.panels) p.dispose();
    },
  };
}
