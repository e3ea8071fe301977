import { askForToken, currentToken } from './token-form.js';

/*
 * GET requests to ccmon's API. When the server wants a token, the user is asked once (every request
 * that got 401 meanwhile waits for the same answer), the token is kept in sessionStorage for this tab
 * and sent as a bearer token.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let pendingToken: Promise<void> | undefined;

function errorText(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'error' in body) return String(body.error);
  return undefined;
}

export async function apiGet<T>(path: string, params?: URLSearchParams): Promise<T> {
  const url = params === undefined || params.toString() === '' ? path : `${path}?${params.toString()}`;
  for (;;) {
    const token = currentToken();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(
        0,
        `ccmon is not reachable (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    if (response.status === 401) {
      pendingToken ??= askForToken(token !== null).finally(() => {
        pendingToken = undefined;
      });
      await pendingToken;
      continue;
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw new ApiError(response.status, errorText(body) ?? `HTTP ${response.status}`);
    return body as T;
  }
}
