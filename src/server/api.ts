import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ReportRangeError } from '../report/range.js';
import { HttpError } from './http-error.js';
import { API_TIMEOUTS, createTimedServer, type HttpTimeouts } from './http-timeouts.js';
import { crossSiteRefusal, rebindingRefusal } from './request-guards.js';
import { matchPath, type Reply, type Route } from './routes.js';

export interface ApiOptions {
  readonly routes: readonly Route[];
  readonly authorized: (header: string | undefined) => boolean;
  /** Paths that answer without a token (the UI's static files, which hold no data). */
  readonly isPublic?: (path: string) => boolean;
  /** Shorter limits for tests; API_TIMEOUTS otherwise. */
  readonly timeouts?: HttpTimeouts;
}

const MAX_BODY = 1024 * 1024;

/** The HTTP API and the UI. Routes are given by the modules that own them; errors become JSON here, once. */
export function createApiServer(options: ApiOptions): Server {
  return createTimedServer(options.timeouts ?? API_TIMEOUTS, (req, res) => {
    void handle(req, res, options);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiOptions): Promise<void> {
  try {
    // bearerChecker lets a missing header through exactly when no token is set.
    const rebinding = rebindingRefusal(req, !options.authorized(undefined));
    if (rebinding !== undefined) throw new HttpError(403, rebinding);
    const changes = req.method !== 'GET' && req.method !== 'HEAD';
    const crossSite = changes ? crossSiteRefusal(req) : undefined;
    if (crossSite !== undefined) throw new HttpError(403, crossSite);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const candidates = options.routes
      .map((route) => ({ route, params: matchPath(route.path, url.pathname) }))
      .filter((c) => c.params !== undefined);
    if (candidates.length === 0) throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    const found = candidates.find((c) => c.route.method === method);
    if (found === undefined) throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
    if (!(options.isPublic?.(url.pathname) ?? false) && !options.authorized(req.headers.authorization)) {
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    if (changes && hasBody(req) && mediaType(req.headers['content-type']) !== 'application/json') {
      throw new HttpError(415, 'a request body must be application/json');
    }
    const body = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
    send(
      res,
      req.method === 'HEAD',
      await found.route.handle({ url, method, raw: req, params: found.params ?? {}, body }),
    );
  } catch (error) {
    const status = error instanceof HttpError ? error.status : error instanceof ReportRangeError ? 400 : 500;
    // A body left unread: answer, then close rather than parse the rest as the next request.
    if (!req.complete) {
      res.setHeader('connection', 'close');
      req.resume();
    }
    send(res, false, {
      kind: 'json',
      status,
      body: { error: error instanceof Error ? error.message : String(error) },
    });
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `the request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, headOnly: boolean, reply: Reply): void {
  const status = reply.status ?? 200;
  const body = reply.kind === 'json' ? JSON.stringify(reply.body) : reply.body;
  const headers: Record<string, string | number> = {
    'content-type': reply.kind === 'json' ? 'application/json; charset=utf-8' : reply.contentType,
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    ...(reply.kind === 'json' ? { 'cache-control': 'no-store' } : {}),
    ...(reply.kind === 'bytes' ? reply.headers : {}),
  };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  res.writeHead(status, headers);
  res.end(headOnly ? undefined : body);
}
