/**
 * The one request `client check` sends: an ExportMetricsServiceRequest with a single gauge point
 * `ccmon.client_check` = 1, as protobuf (gRPC, http/protobuf) or OTLP/JSON (http/json), and the
 * partial_success of the answer read back. Field numbers are opentelemetry-proto v1's
 * (collector/metrics/v1, metrics/v1, common/v1, resource/v1).
 */
import protobuf from 'protobufjs/minimal.js';

export const CHECK_METRIC = 'ccmon.client_check';

export interface CheckPoint {
  readonly machineName: string;
  readonly timeMs: number;
  readonly version: string;
}

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const tag = (field: number, wire: number): number => (field << 3) | wire;

type Writer = protobuf.Writer;

function stringKeyValue(w: Writer, field: number, key: string, value: string): void {
  w.uint32(tag(field, LEN)).fork();
  w.uint32(tag(1, LEN)).string(key);
  w.uint32(tag(2, LEN)).fork().uint32(tag(1, LEN)).string(value).ldelim(); // AnyValue.string_value
  w.ldelim();
}

/** fixed64 from a bigint, as two little-endian 32-bit words: nanoseconds do not fit a double exactly. */
function fixed64(w: Writer, field: number, value: bigint): void {
  w.uint32(tag(field, FIXED64));
  w.fixed32(Number(value & 0xffffffffn)).fixed32(Number(value >> 32n));
}

function resourceAttributes(point: CheckPoint): [string, string][] {
  return [
    ['service.name', 'ccmon-client-check'],
    ['service.version', point.version],
    ['machine.name', point.machineName],
  ];
}

export function encodeCheckProto(point: CheckPoint): Uint8Array {
  const nanos = BigInt(point.timeMs) * 1_000_000n;
  const w = protobuf.Writer.create();
  w.uint32(tag(1, LEN)).fork(); // ResourceMetrics
  w.uint32(tag(1, LEN)).fork(); // Resource
  for (const [k, v] of resourceAttributes(point)) stringKeyValue(w, 1, k, v);
  w.ldelim();
  w.uint32(tag(2, LEN)).fork(); // ScopeMetrics
  w.uint32(tag(1, LEN))
    .fork()
    .uint32(tag(1, LEN))
    .string('ccmon')
    .uint32(tag(2, LEN))
    .string(point.version)
    .ldelim();
  w.uint32(tag(2, LEN)).fork(); // Metric
  w.uint32(tag(1, LEN)).string(CHECK_METRIC);
  w.uint32(tag(2, LEN)).string('1 when a ccmon client check reached this receiver');
  w.uint32(tag(3, LEN)).string('1');
  w.uint32(tag(5, LEN)).fork(); // Gauge
  w.uint32(tag(1, LEN)).fork(); // NumberDataPoint
  fixed64(w, 2, nanos);
  fixed64(w, 3, nanos);
  w.uint32(tag(4, FIXED64)).double(1);
  stringKeyValue(w, 7, 'machine.name', point.machineName);
  w.ldelim().ldelim().ldelim().ldelim().ldelim();
  return w.finish();
}

export function encodeCheckJson(point: CheckPoint): Uint8Array {
  const nanos = String(BigInt(point.timeMs) * 1_000_000n);
  const kv = ([key, value]: [string, string]) => ({ key, value: { stringValue: value } });
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: resourceAttributes(point).map(kv) },
        scopeMetrics: [
          {
            scope: { name: 'ccmon', version: point.version },
            metrics: [
              {
                name: CHECK_METRIC,
                description: '1 when a ccmon client check reached this receiver',
                unit: '1',
                gauge: {
                  dataPoints: [
                    {
                      startTimeUnixNano: nanos,
                      timeUnixNano: nanos,
                      asDouble: 1,
                      attributes: [kv(['machine.name', point.machineName])],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
  return Buffer.from(JSON.stringify(body));
}

export interface PartialSuccess {
  readonly rejected: number;
  readonly message: string;
}

/** ExportMetricsServiceResponse.partial_success (field 1: rejected_data_points = 1, error_message = 2). */
export function decodePartialProto(body: Uint8Array): PartialSuccess | undefined {
  const r = protobuf.Reader.create(body);
  let partial: PartialSuccess | undefined;
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t >>> 3 !== 1 || (t & 7) !== LEN) {
      r.skipType(t & 7);
      continue;
    }
    const inner = protobuf.Reader.create(r.bytes());
    let rejected = 0;
    let message = '';
    while (inner.pos < inner.len) {
      const it = inner.uint32();
      if (it === tag(1, VARINT)) rejected = Number(inner.int64().toString());
      else if (it === tag(2, LEN)) message = inner.string();
      else inner.skipType(it & 7);
    }
    partial = { rejected, message };
  }
  return partial;
}

export function decodePartialJson(text: string): PartialSuccess | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const partial = (
    value as { partialSuccess?: { rejectedDataPoints?: unknown; errorMessage?: unknown } } | null
  )?.partialSuccess;
  if (partial === undefined || partial === null) return undefined;
  return {
    rejected: Number(partial.rejectedDataPoints ?? 0) || 0,
    message: typeof partial.errorMessage === 'string' ? partial.errorMessage : '',
  };
}
