import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Database } from '../store/database.js';
import { grouped, sessions, summary } from '../report/queries.js';
import { ReportRangeError, resolveRange } from '../report/range.js';
import { HttpError } from './http-error.js';

export interface ApiContext {
  readonly db: Database;
  readonly authorized: (header: string | undefined) => boolean;
  readonly status: () => Record<string, unknown>;
}

type Handler = (url: URL, ctx: ApiContext) => Promise<unknown>;

function rangeOf(url: URL): ReturnType<typeof resolveRange> {
  const q = url.searchParams;
  return resolveRange(q.get('from') ?? undefined, q.get('to') ?? undefined, q.get('tz') ?? undefined);
}

const ROUTES: Record<string, Handler> = {
  '/api/v1/status': async (_url, ctx) => ctx.status(),
  '/api/v1/report/summary': (url, ctx) => ctx.db.withRead((db) => summary(db, rangeOf(url))),
  '/api/v1/report/daily': (url, ctx) => ctx.db.withRead((db) => grouped(db, 'daily', rangeOf(url))),
  '/api/v1/report/models': (url, ctx) => ctx.db.withRead((db) => grouped(db, 'models', rangeOf(url))),
  '/api/v1/report/machines': (url, ctx) => ctx.db.withRead((db) => grouped(db, 'machines', rangeOf(url))),
  '/api/v1/report/users': (url, ctx) => ctx.db.withRead((db) => grouped(db, 'users', rangeOf(url))),
  '/api/v1/report/sessions': (url, ctx) => ctx.db.withRead((db) => sessions(db, rangeOf(url))),
};

/** The HTTP API (and, later, the web UI). Every answer is JSON; every error goes through HttpError. */
export function createApiServer(ctx: ApiContext): Server {
  const server = createServer((req, res) => {
    void handle(req, res, ctx);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTES[url.pathname];
    if (route === undefined) throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${req.method ?? ''} is not allowed here`);
    if (!ctx.authorized(req.headers.authorization)) throw new HttpError(401, 'missing or wrong bearer token');
    respond(res, 200, await route(url, ctx));
  } catch (error) {
    if (error instanceof HttpError) respond(res, error.status, { error: error.message });
    else if (error instanceof ReportRangeError) respond(res, 400, { error: error.message });
    else respond(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  res.writeHead(status, headers);
  res.end(text);
}
