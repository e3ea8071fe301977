/** GET with a timeout, for `ccmon verify`: failures become messages that say what did not answer. */

export interface GetOptions {
  readonly timeoutMs: number;
  readonly token?: string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GetResult {
  readonly status: number;
  readonly text: string;
  readonly ms: number;
}

/** Thrown when nothing answered: the message names the URL and the reason (refused, timed out, ...). */
export class Unreachable extends Error {
  override readonly name = 'Unreachable';
}

export async function httpGet(url: string, options: GetOptions): Promise<GetResult> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
    ...options.headers,
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const started = Date.now();
  try {
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'follow',
    });
    return { status: response.status, text: await response.text(), ms: Date.now() - started };
  } catch (error) {
    throw new Unreachable(`${url}: ${reason(error, options.timeoutMs)}`);
  }
}

function reason(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (cause?.code === 'ENOTFOUND') return 'the host name does not resolve';
  return cause?.message !== undefined ? `${error.message}: ${cause.message}` : error.message;
}

/** JSON body or undefined when the body is not JSON. */
export function jsonOf(result: GetResult): unknown {
  try {
    return JSON.parse(result.text) as unknown;
  } catch {
    return undefined;
  }
}

/** Joins a base URL and an API path without doubling or losing slashes; keeps a base path (/prometheus). */
export function apiUrl(base: string, path: string, query: Readonly<Record<string, string>> = {}): string {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}
