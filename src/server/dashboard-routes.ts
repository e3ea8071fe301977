import { DASHBOARD } from '../dashboard/definition.js';
import { listEvents } from '../dashboard/event-list.js';
import { filterValues } from '../dashboard/filter-values.js';
import type { PanelData, PanelParams } from '../dashboard/panel-data.js';
import { queryPanel, queryPanels } from '../dashboard/query.js';
import { listSessions, sessionDetail } from '../dashboard/sessions.js';
import type { Panel } from '../dashboard/types.js';
import type { Database } from '../store/database.js';
import { filtersParam, intParam, panelParams, rangeParam, textParam } from './dashboard-params.js';
import { HttpError } from './http-error.js';
import { json, type Route } from './routes.js';

/*
 * The web UI's API: the dashboard definition, panel data (one panel or a section's worth in one
 * request), filter values, the event list and sessions. All GET, all JSON.
 */

const MAX_EVENTS_PAGE = 1000;
const MAX_SESSIONS = 1000;

/** The definition as the UI needs it: layout and formatting, not the queries. */
export function dashboardDocument(): unknown {
  return {
    uid: DASHBOARD.uid,
    title: DASHBOARD.title,
    sections: DASHBOARD.sections,
    panels: DASHBOARD.panels.map(({ id, section, title, type, unit, description, width, max }) => ({
      id,
      section,
      title,
      type,
      unit,
      description,
      width,
      ...(max === undefined ? {} : { max }),
    })),
    filters: DASHBOARD.filters,
    defaults: DASHBOARD.defaults,
  };
}

function panelById(raw: string): Panel {
  const id = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  const panel = DASHBOARD.panels.find((p) => p.id === id);
  if (panel === undefined) throw new HttpError(404, `no panel ${raw.slice(0, 20)}`);
  return panel;
}

function panelsOf(ids: string | null): Panel[] {
  if (ids === null || ids.trim() === '') return [...DASHBOARD.panels];
  const list = ids.split(',').map((s) => s.trim());
  if (list.some((s) => !/^\d{1,3}$/.test(s))) {
    throw new HttpError(400, `ids: expected panel numbers separated by commas, got "${ids.slice(0, 100)}"`);
  }
  return [...new Set(list)].map(panelById);
}

export function dashboardRoutes(db: Database, now: () => number = Date.now): Route[] {
  // On one connection, one statement after another: DuckDB already spreads each over the cores. Should
  // the batch fail, the panels run one by one, so one failing panel shows its error and not the others'.
  const runPanels = (
    panels: readonly Panel[],
    params: PanelParams,
  ): Promise<Record<string, PanelData | { error: string }>> =>
    db.withRead(async (r) => {
      const out: Record<string, PanelData | { error: string }> = {};
      try {
        for (const [id, data] of await queryPanels(r, panels, params)) out[String(id)] = data;
      } catch {
        for (const panel of panels) {
          out[String(panel.id)] = await queryPanel(r, panel, params).catch((error: unknown) => ({
            error: error instanceof Error ? error.message : String(error),
          }));
        }
      }
      return out;
    });

  return [
    { method: 'GET', path: '/api/v1/dashboard', handle: async () => json(dashboardDocument()) },
    {
      method: 'GET',
      path: '/api/v1/panels/:id',
      handle: async ({ url, params }) => {
        const panel = panelById(params.id ?? '');
        const query = panelParams(url.searchParams, now());
        return json(await db.withRead((r) => queryPanel(r, panel, query)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/panels',
      handle: async ({ url }) => {
        const panels = panelsOf(url.searchParams.get('ids'));
        return json({ panels: await runPanels(panels, panelParams(url.searchParams, now())) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/filters',
      handle: async ({ url }) => {
        const range = rangeParam(url.searchParams, now());
        return json(await db.withRead((r) => filterValues(r, range)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/events',
      handle: async ({ url }) => {
        const q = url.searchParams;
        const query = {
          ...rangeParam(q, now()),
          limit: intParam(q, 'limit', 1, MAX_EVENTS_PAGE, 100),
          offset: intParam(q, 'offset', 0, 10_000_000, 0),
          filters: filtersParam(q),
          ...(textParam(q, 'name') === undefined ? {} : { name: textParam(q, 'name') }),
        };
        return json(await db.withRead((r) => listEvents(r, query)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/sessions',
      handle: async ({ url }) => {
        const q = url.searchParams;
        const query = {
          ...rangeParam(q, now()),
          limit: intParam(q, 'limit', 1, MAX_SESSIONS, 100),
          filters: filtersParam(q),
        };
        return json({ sessions: await db.withRead((r) => listSessions(r, query)) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/sessions/:id',
      handle: async ({ params }) => {
        const id = params.id ?? '';
        const detail = await db.withRead((r) => sessionDetail(r, id));
        if (detail === undefined) throw new HttpError(404, `no session ${id.slice(0, 100)}`);
        return json(detail);
      },
    },
  ];
}
