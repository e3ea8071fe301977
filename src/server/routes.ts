import type { IncomingMessage } from 'node:http';

/** What a route answers: JSON (the API) or bytes with their own content type (/metrics, UI files). */
export type Reply =
  | { readonly kind: 'json'; readonly status?: number; readonly body: unknown }
  | {
      readonly kind: 'bytes';
      readonly status?: number;
      readonly contentType: string;
      readonly body: string | Uint8Array;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface RouteRequest {
  readonly url: URL;
  readonly method: string;
  readonly raw: IncomingMessage;
  /** path parameters from a pattern such as /api/v1/sessions/:id */
  readonly params: Readonly<Record<string, string>>;
  /** the request body, read for POST/PUT/DELETE (limited to 1 MiB) */
  readonly body: Buffer;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** an exact path, or a pattern with :name segments */
  readonly path: string;
  readonly handle: (req: RouteRequest) => Promise<Reply>;
}

export function json(body: unknown, status = 200): Reply {
  return { kind: 'json', status, body };
}

/** Matches "/api/v1/sessions/:id" against a path; returns the parameters or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      const value = decodeSegment(g);
      if (value === undefined || value === '') return undefined;
      params[w.slice(1)] = value;
    } else if (w !== g) return undefined;
  }
  return params;
}

/** A malformed escape such as %E0%A4%A matches no route (404), rather than failing the request (500). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
