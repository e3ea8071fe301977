/** Decoded OTLP requests built by hand, for unit tests below the decoders. */
import type {
  AnyValue,
  ExportLogsRequest,
  ExportMetricsRequest,
  KeyValue,
  Temporality,
} from '../../src/otlp/types.js';

export function kv(attrs: Record<string, string | number | boolean>): KeyValue[] {
  return Object.entries(attrs).map(([key, v]): KeyValue => {
    const value: AnyValue =
      typeof v === 'string'
        ? { kind: 'string', value: v }
        : typeof v === 'boolean'
          ? { kind: 'bool', value: v }
          : Number.isInteger(v)
            ? { kind: 'int', value: v }
            : { kind: 'double', value: v };
    return { key, value };
  });
}

export interface PointSpec {
  metric: string;
  unit?: string;
  value: number;
  startUs: number;
  endUs: number;
  attrs?: Record<string, string | number | boolean>;
  temporality?: Temporality;
}

export function metricsRequest(resource: Record<string, string>, points: PointSpec[]): ExportMetricsRequest {
  return {
    resourceMetrics: [
      {
        resource: { attributes: kv(resource) },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code', version: '2.1.197' },
            metrics: points.map((p) => ({
              name: p.metric,
              description: '',
              unit: p.unit ?? '',
              data: {
                kind: 'sum' as const,
                temporality: p.temporality ?? 1,
                isMonotonic: true,
                points: [
                  { attributes: kv(p.attrs ?? {}), startTimeUs: p.startUs, timeUs: p.endUs, value: p.value },
                ],
              },
            })),
          },
        ],
      },
    ],
  };
}

export function logsRequest(
  resource: Record<string, string>,
  events: { timeUs: number; attrs: Record<string, string | number | boolean>; body?: string }[],
): ExportLogsRequest {
  return {
    resourceLogs: [
      {
        resource: { attributes: kv(resource) },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events', version: '2.1.197' },
            logRecords: events.map((e) => ({
              timeUs: e.timeUs,
              observedTimeUs: e.timeUs,
              severityNumber: 9,
              severityText: '',
              body: {
                kind: 'string' as const,
                value: e.body ?? `claude_code.${String(e.attrs['event.name'])}`,
              },
              attributes: kv(e.attrs),
              traceId: '',
              spanId: '',
              eventName: '',
            })),
          },
        ],
      },
    ],
  };
}
