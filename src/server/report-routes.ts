import { grouped, sessions, summary, type GroupedReport } from '../report/queries.js';
import { resolveRange } from '../report/range.js';
import type { Database } from '../store/database.js';
import { json, type Route } from './routes.js';

function rangeOf(url: URL): ReturnType<typeof resolveRange> {
  const q = url.searchParams;
  return resolveRange(q.get('from') ?? undefined, q.get('to') ?? undefined, q.get('tz') ?? undefined);
}

/** /api/v1/report/*: what `ccmon report` prints, for a running server. */
export function reportRoutes(db: Database): Route[] {
  const groupedRoute = (kind: GroupedReport): Route => ({
    method: 'GET',
    path: `/api/v1/report/${kind}`,
    handle: async ({ url }) => json(await db.withRead((r) => grouped(r, kind, rangeOf(url)))),
  });
  return [
    {
      method: 'GET',
      path: '/api/v1/report/summary',
      handle: async ({ url }) => json(await db.withRead((r) => summary(r, rangeOf(url)))),
    },
    {
      method: 'GET',
      path: '/api/v1/report/sessions',
      handle: async ({ url }) => json(await db.withRead((r) => sessions(r, rangeOf(url)))),
    },
    ...(['daily', 'models', 'machines', 'users'] as const).map(groupedRoute),
  ];
}
