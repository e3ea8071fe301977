import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './http-error.js';
import type { Reply, Route, RouteRequest } from './routes.js';

/**
 * The web UI's files from dist/ui (built by ui/build.ts): index.html at `/`, content-hashed bundles
 * under /assets/. They hold no data, so they answer without a token; the data comes from the API.
 */

/** dist/ui of this checkout: src/server and dist/server are both two levels below the package root. */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything from ccmon itself; no inline script. ECharts positions its tooltip through the CSSOM,
 * which style-src does not govern, so inline styles stay forbidden too.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Hashed names never change content, so browsers may keep them; index.html is checked each time. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const ASSETS = '/assets/';
const ROOT_FILES = ['/favicon.svg'];

/** The paths this module serves, for ApiOptions.isPublic. */
export function isStaticPath(path: string): boolean {
  return path === '/' || path === '/index.html' || ROOT_FILES.includes(path) || path.startsWith(ASSETS);
}

/**
 * The absolute path of `name` inside `dir`, or undefined when the name could leave it: separators,
 * `..`, NUL and other control characters are refused before resolving, and the result must still lie
 * under the folder (the check that holds whatever the first test missed).
 */
export function safeJoin(dir: string, name: string): string | undefined {
  if (name === '' || name === '.' || name === '..' || name.includes('..')) return undefined;
  if (/[/\\]/.test(name) || /\p{Cc}/u.test(name)) return undefined;
  const root = resolve(dir);
  const full = resolve(root, name);
  return full.startsWith(root + sep) ? full : undefined;
}

function notBuilt(): Reply {
  return {
    kind: 'bytes',
    status: 503,
    contentType: 'text/plain; charset=utf-8',
    body: 'The ccmon web UI is not built. Run `npm run build` in the ccmon checkout, then reload.\n',
    headers: { 'cache-control': 'no-store' },
  };
}

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw error;
  }
}

/**
 * The file, or its gzip twin (written by the build for the bundles) when the client takes gzip: the
 * JavaScript bundle shrinks to about a third.
 */
async function fileReply(
  dir: string,
  name: string,
  cache: string,
  gzip: boolean,
): Promise<Reply | undefined> {
  const path = safeJoin(dir, name);
  if (path === undefined) return undefined;
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (contentType === undefined) return undefined;
  const headers = { ...SECURITY_HEADERS, 'cache-control': cache, vary: 'accept-encoding' };
  const zipped = gzip ? await readIfThere(`${path}.gz`) : undefined;
  if (zipped !== undefined) {
    return { kind: 'bytes', contentType, body: zipped, headers: { ...headers, 'content-encoding': 'gzip' } };
  }
  const body = await readIfThere(path);
  return body === undefined ? undefined : { kind: 'bytes', contentType, body, headers };
}

function takesGzip(req: RouteRequest): boolean {
  return /\bgzip\b/.test(String(req.raw.headers['accept-encoding'] ?? ''));
}

/** GET /, /index.html, /favicon.svg and /assets/:file from `dir` (default dist/ui). */
export function staticRoutes(dir: string = UI_DIR): Route[] {
  const index = async (req: RouteRequest): Promise<Reply> =>
    (await fileReply(dir, 'index.html', REVALIDATE, takesGzip(req))) ?? notBuilt();
  const asset = async (req: RouteRequest): Promise<Reply> => {
    const reply = await fileReply(`${dir}${sep}assets`, req.params.file ?? '', IMMUTABLE, takesGzip(req));
    if (reply === undefined) throw new HttpError(404, 'no such file');
    return reply;
  };
  const rootFile =
    (name: string) =>
    async (req: RouteRequest): Promise<Reply> => {
      const reply = await fileReply(dir, name, REVALIDATE, takesGzip(req));
      if (reply === undefined) throw new HttpError(404, 'no such file');
      return reply;
    };
  return [
    { method: 'GET', path: '/', handle: index },
    { method: 'GET', path: '/index.html', handle: index },
    { method: 'GET', path: `${ASSETS}:file`, handle: asset },
    ...ROOT_FILES.map((path): Route => ({ method: 'GET', path, handle: rootFile(path.slice(1)) })),
  ];
}
