/** The dashboard and PrometheusRule `deploy k8s` renders, made the way the CLI makes them, at a fixed date. */
import { parseAlertsConfig } from '../../src/alerts/config.js';
import type { DeployParts } from '../../src/deploy/render.js';
import { resolveDeployConfig, type DeployConfig } from '../../src/deploy/settings.js';
import { grafanaDashboard } from '../../src/exporters/grafana-dashboard.js';
import { prometheusRule } from '../../src/exporters/prometheus-rule.js';

/** The working-hours rule's daylight-saving table starts in this year: goldens must not change on New Year. */
export const RULES_GENERATED_AT = new Date(Date.UTC(2026, 0, 1));

export function deployParts(
  config: DeployConfig = resolveDeployConfig({}),
  collectorOverrides?: unknown,
): DeployParts {
  return {
    dashboard: grafanaDashboard(),
    prometheusRule: prometheusRule(parseAlertsConfig(undefined), {
      namespace: config.namespace,
      labels: { release: config.release },
      generatedAt: RULES_GENERATED_AT,
    }),
    ...(collectorOverrides !== undefined ? { collectorOverrides } : {}),
  };
}
