import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ReportRangeError } from '../report/range.js';
import { HttpError } from './http-error.js';
import { matchPath, type Reply, type Route } from './routes.js';

export interface ApiOptions {
  readonly routes: readonly Route[];
  readonly authorized: (header: string | undefined) => boolean;
  /** Paths that answer without a token (the UI's static files, which hold no data). */
  readonly isPublic?: (path: string) => boolean;
}

const MAX_BODY = 1024 * 1024;

/** The HTTP API and the UI. Routes are given by the modules that own them; errors become JSON here, once. */
export function createApiServer(options: ApiOptions): Server {
  const server = createServer((req, res) => {
    void handle(req, res, options);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiOptions): Promise<void> {
  try {
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
    const body = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
    send(
      res,
      req.method === 'HEAD',
      await found.route.handle({ url, method, raw: req, params: found.params ?? {}, body }),
    );
  } catch (error) {
    const status = error instanceof HttpError ? error.status : error instanceof ReportRangeError ? 400 : 500;
    send(res, false, {
      kind: 'json',
      status,
      body: { error: error instanceof Error ? error.message : String(error) },
    });
  }
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
