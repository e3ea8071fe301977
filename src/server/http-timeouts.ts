import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * How long a client may hold a socket of ccmon's HTTP listeners. Node's defaults (5 minutes for a
 * request, 1 minute for its headers) let slow or silent clients pile up sockets.
 */
export interface HttpTimeouts {
  /** from the connection (or the end of the previous request) to the end of the headers */
  readonly headersMs: number;
  /** the whole request, body included */
  readonly requestMs: number;
  /** an idle keep-alive connection between two requests */
  readonly keepAliveMs: number;
}

/** The API and web UI: small requests, browsers reconnect at will. */
export const API_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 5_000 };

/**
 * OTLP/HTTP: a body of up to --max-request-size fits in a minute on any link that can export at all.
 * Keep-alive outlasts the exporters' 5-second log interval, so a connection is reused rather than
 * closed under a request that is just being sent.
 */
export const OTLP_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 15_000 };

/** The health check: probes send a bare GET. */
export const HEALTH_TIMEOUTS: HttpTimeouts = { headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000 };

/** An HTTP server that enforces `timeouts` (a slow client gets 408 and the socket closed). */
export function createTimedServer(timeouts: HttpTimeouts, listener: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks the two limits above this often (every 30 s by default, which would let a client
      // overstay by that much).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
    listener,
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  return server;
}
