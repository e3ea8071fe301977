import type { ExportMetricsRequest, Metric, NumberDataPoint, Scope } from '../otlp/types.js';
import { attrString, canonicalJson, toAttributes } from './attributes.js';
import { identityKey } from './identity.js';
import { originOf } from './origin.js';
import type { Attributes, MetricPoint, Normalized } from './records.js';

/**
 * OTLP metrics -> stored points, following the OTLP nesting. Points that cannot be stored (no value,
 * no time, histograms which Claude Code never sends) are counted as rejected for partial success.
 */
export function normalizeMetrics(request: ExportMetricsRequest): Normalized<MetricPoint> {
  const records: MetricPoint[] = [];
  const refusals = new Refusals();
  for (const rm of request.resourceMetrics) {
    const resource = toAttributes(rm.resource.attributes);
    const resourceJson = canonicalJson(resource);
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        toPoints(resource, resourceJson, sm.scope, metric, records, refusals);
      }
    }
  }
  return { records, rejected: refusals.count, rejectReason: refusals.reason };
}

class Refusals {
  count = 0;
  reason = '';
  add(n: number, reason: string): void {
    if (n <= 0) return;
    this.count += n;
    if (this.reason === '') this.reason = reason;
  }
}

function toPoints(
  resource: Attributes,
  resourceJson: string,
  scope: Scope,
  metric: Metric,
  out: MetricPoint[],
  refusals: Refusals,
): void {
  const data = metric.data;
  if (data.kind === 'unsupported') {
    refusals.add(data.pointCount, `metric ${metric.name}: ${data.type} points are not supported`);
    return;
  }
  if (data.kind === 'none') return;
  const cumulative = data.kind === 'sum' && data.temporality === 2;
  const monotonic = data.kind === 'sum' && data.isMonotonic;
  for (const point of data.points) {
    const refusal = checkPoint(metric.name, point);
    if (refusal !== undefined) {
      refusals.add(1, refusal);
      continue;
    }
    out.push(toPoint(resource, resourceJson, scope, metric, point, data.kind, cumulative, monotonic));
  }
}

function checkPoint(name: string, point: NumberDataPoint): string | undefined {
  if (point.value === undefined || !Number.isFinite(point.value))
    return `metric ${name}: a data point has no numeric value`;
  if (point.timeUs <= 0) return `metric ${name}: a data point has no time`;
  if (point.startTimeUs > point.timeUs) return `metric ${name}: a data point starts after it ends`;
  return undefined;
}

function toPoint(
  resource: Attributes,
  resourceJson: string,
  scope: Scope,
  metric: Metric,
  point: NumberDataPoint,
  kind: 'sum' | 'gauge',
  cumulative: boolean,
  monotonic: boolean,
): MetricPoint {
  const own = toAttributes(point.attributes);
  const attributesJson = canonicalJson(own);
  const seriesKey = identityKey(resourceJson, scope.name, scope.version, metric.name, kind, attributesJson);
  return {
    origin: originOf(resource, own),
    seriesKey,
    metric: metric.name,
    unit: metric.unit,
    kind,
    monotonic,
    cumulative,
    // An unset start on a delta: the end time alone identifies it. On a cumulative point 0 stays 0
    // ("start unknown"), so the writer does not mistake every point for a counter reset.
    startUs: cumulative || point.startTimeUs > 0 ? point.startTimeUs : point.timeUs,
    endUs: point.timeUs,
    value: point.value ?? 0,
    type: attrString(own, 'type'),
    model: attrString(own, 'model'),
    scopeName: scope.name,
    attributesJson,
    resource,
  };
}
