import { prometheusLabelName } from '../telemetry/prometheus-names.js';

/**
 * A stored point's Prometheus labels, as the Collector's `prometheus` exporter builds them: the
 * point's own attributes (not the resource's, which the Collector keeps for `target_info`), `job`
 * and `instance` from the resource, and the scope labels.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

/** An attribute value as label text: strings as they are, other values as the Collector's AsString. */
function labelText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function text(attrs: JsonObject, key: string): string | undefined {
  const value = attrs[key];
  return value === undefined || value === null ? undefined : labelText(value);
}

export function seriesLabels(
  own: JsonObject,
  resource: JsonObject,
  scopeName: string,
): Record<string, string> {
  const labels: Record<string, string> = {};
  // Keys that clash once sanitized (`a.b`, `a_b`) share one label, values joined in key order.
  for (const key of Object.keys(own).sort()) {
    const name = prometheusLabelName(key);
    const value = labelText(own[key]);
    labels[name] = labels[name] === undefined ? value : `${labels[name]};${value}`;
  }
  const service = text(resource, 'service.name');
  const namespace = text(resource, 'service.namespace');
  if (service !== undefined) labels.job = namespace === undefined ? service : `${namespace}/${service}`;
  const instance = text(resource, 'service.instance.id');
  if (instance !== undefined) labels.instance = instance;
  labels.otel_scope_name = scopeName;
  // The store keeps no scope version. Claude Code sets its scope version to its own version, which
  // the resource carries as service.version, so that stands in for it.
  labels.otel_scope_version = text(resource, 'service.version') ?? '';
  labels.otel_scope_schema_url = '';
  return labels;
}

/** Parses a stored JSON attributes column; anything but an object reads as no attributes. */
export function parseAttributes(json: unknown): JsonObject {
  if (typeof json !== 'string' || json === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
  } catch {
    return {};
  }
}
