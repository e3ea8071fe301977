import type { Server } from 'node:http';
import { createTimedServer, HEALTH_TIMEOUTS, type HttpTimeouts } from './http-timeouts.js';

export type Phase = 'starting' | 'serving' | 'stopping';

/**
 * Like the Collector's health_check extension: GET / answers 200 with a small JSON status while
 * serving, 503 while starting or shutting down, so probes and `ccmon verify` can use it.
 */
export function createHealthServer(
  state: () => { phase: Phase; startedAt: Date; version: string },
  timeouts: HttpTimeouts = HEALTH_TIMEOUTS,
): Server {
  return createTimedServer(timeouts, (req, res) => {
    const { phase, startedAt, version } = state();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const serving = phase === 'serving';
    const body = JSON.stringify({
      status: serving
        ? 'Server available'
        : phase === 'starting'
          ? 'Server starting'
          : 'Server shutting down',
      upSince: startedAt.toISOString(),
      uptime: `${((Date.now() - startedAt.getTime()) / 1000).toFixed(3)}s`,
      version,
    });
    res.writeHead(serving ? 200 : 503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
