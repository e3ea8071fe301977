import { formatHostPort, type HostPort } from '../config/values.js';
import { json, type Route } from './routes.js';

/** What a new user pastes into Claude Code's environment, for the web UI's empty state. */
export interface SetupInfo {
  readonly grpcEndpoint: string;
  readonly httpEndpoint: string;
  readonly tokenRequired: boolean;
}

export interface SetupOptions {
  /** where the OTLP receivers listen (the bound addresses, with real ports) */
  readonly otlpGrpc: HostPort;
  readonly otlpHttp: HostPort;
  readonly tokenRequired: boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The host a client should send to. A listener on a wildcard address is reachable under whatever name
 * the browser used to reach this API (the Host header); a specific address is the only one that works.
 */
export function clientHost(bound: string, hostHeader: string | undefined): string {
  if (!WILDCARDS.has(bound)) return bound;
  const fromHeader = hostHeader === undefined ? undefined : hostnameOf(hostHeader);
  if (fromHeader !== undefined) return fromHeader;
  return bound === '::' ? '::1' : '127.0.0.1';
}

/** The host part of a Host header ("name:port", "[::1]:port"), or undefined when it is not a plain name. */
function hostnameOf(header: string): string | undefined {
  try {
    const host = new URL(`http://${header}`).hostname;
    // URL keeps the brackets of an IPv6 literal; formatHostPort adds its own.
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    return bare === '' ? undefined : bare;
  } catch {
    return undefined;
  }
}

export function setupInfo(options: SetupOptions, hostHeader: string | undefined): SetupInfo {
  const endpoint = (at: HostPort): string =>
    `http://${formatHostPort({ host: clientHost(at.host, hostHeader), port: at.port })}`;
  return {
    grpcEndpoint: endpoint(options.otlpGrpc),
    httpEndpoint: endpoint(options.otlpHttp),
    tokenRequired: options.tokenRequired,
  };
}

/** GET /api/v1/setup: the OTLP endpoints of this server. */
export function setupRoutes(options: SetupOptions): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/setup',
      handle: async ({ raw }) => json(setupInfo(options, raw.headers.host)),
    },
  ];
}
