import { PROMETHEUS_TEXT_CONTENT_TYPE } from '../exporters/prometheus-text.js';
import type { Route } from './routes.js';

export interface MetricsSource {
  render(): Promise<string>;
}

/**
 * GET /metrics: Prometheus text format 0.0.4. It is not public: the API server asks for the bearer
 * token here as on every API route when one is set (Prometheus sends it with `authorization`).
 */
export function metricsRoutes(source: MetricsSource): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      handle: async () => ({
        kind: 'bytes',
        contentType: PROMETHEUS_TEXT_CONTENT_TYPE,
        body: await source.render(),
        headers: { 'cache-control': 'no-store' },
      }),
    },
  ];
}
