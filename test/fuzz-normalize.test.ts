/**
 * Property-based fuzzing of the normalizers over any decoded shape (src/otlp/types.ts): they never
 * throw, and typed fields hold finite numbers or null. CCMON_FUZZ_RUNS raises the number of inputs.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type {
  AnyValue,
  ExportLogsRequest,
  ExportMetricsRequest,
  KeyValue,
  LogRecord,
  Metric,
  NumberDataPoint,
} from '../src/otlp/types.js';
import { decodeLogsRequestJson, decodeMetricsRequestJson } from '../src/otlp/decode-json.js';
import { OtlpDecodeError } from '../src/otlp/errors.js';
import { normalizeLogs } from '../src/telemetry/normalize-logs.js';
import { normalizeMetrics } from '../src/telemetry/normalize-metrics.js';
import { checkProperty as check, FUZZ_RUNS as RUNS } from './support/fuzz.js';

/** How many inputs the properties tried in all; bench/fuzz.ts reads this line. */
let tried = 0;
after(() => console.log(`fuzz: ${tried} inputs tried`));

// ---- the normalizers over any decoded shape ----

const numbers = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 63, 1e300, -0),
);
/** Times as the decoders produce them: whole microseconds of a fixed64 nanosecond count, 0 when unset. */
const times = fc.oneof(
  fc.constant(0),
  fc.nat(),
  fc.constant(1_700_000_000_000_000),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constant(Math.floor(2 ** 64 / 1000)),
);
const keys = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'session.id',
    'event.sequence',
    'event.name',
    'event.timestamp',
    'cost_usd',
    'duration_ms',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_creation_tokens',
    'status_code',
    'success',
    'model',
    'type',
    'prompt',
    'user.id',
    'service.name',
  ),
);

const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue; kv: KeyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('string' as const),
      value: fc.oneof(
        fc.string(),
        fc.constantFrom('1e400', 'NaN', '2023-11-14T22:13:20Z', '+275760-09-13T00:00:00.001Z', '-1', 'true'),
      ),
    }),
    fc.record({ kind: fc.constant('bool' as const), value: fc.boolean() }),
    fc.record({ kind: fc.constant('int' as const), value: numbers }),
    fc.record({ kind: fc.constant('double' as const), value: numbers }),
    fc.record({ kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 8 }) }),
    fc.record({ kind: fc.constant('empty' as const) }),
    fc.record({ kind: fc.constant('array' as const), value: fc.array(tie('value'), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('kvlist' as const), value: fc.array(tie('kv'), { maxLength: 3 }) }),
  ),
  kv: fc.record({ key: keys, value: tie('value') }),
})).value;
const attributes = fc.array(fc.record({ key: keys, value: anyValue }), { maxLength: 8 });
const resource = fc.record({ attributes });
const scope = fc.record({ name: fc.string({ maxLength: 8 }), version: fc.string({ maxLength: 8 }) });

const point: fc.Arbitrary<NumberDataPoint> = fc.record({
  attributes,
  startTimeUs: times,
  timeUs: times,
  value: fc.option(numbers, { nil: undefined }),
});
const metric: fc.Arbitrary<Metric> = fc.record({
  name: fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.constantFrom('claude_code.cost.usage', 'claude_code.token.usage'),
  ),
  description: fc.string({ maxLength: 8 }),
  unit: fc.string({ maxLength: 4 }),
  data: fc.oneof(
    fc.record({
      kind: fc.constant('sum' as const),
      temporality: fc.constantFrom(0 as const, 1 as const, 2 as const),
      isMonotonic: fc.boolean(),
      points: fc.array(point, { maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('gauge' as const), points: fc.array(point, { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('unsupported' as const), type: fc.string(), pointCount: fc.nat() }),
    fc.record({ kind: fc.constant('none' as const) }),
  ),
});
const metricsRequest: fc.Arbitrary<ExportMetricsRequest> = fc.record({
  resourceMetrics: fc.array(
    fc.record({
      resource,
      scopeMetrics: fc.array(fc.record({ scope, metrics: fc.array(metric, { maxLength: 3 }) }), {
        maxLength: 2,
      }),
    }),
    { maxLength: 2 },
  ),
});
const logRecord: fc.Arbitrary<LogRecord> = fc.record({
  timeUs: times,
  observedTimeUs: times,
  severityNumber: fc.integer(),
  severityText: fc.string({ maxLength: 6 }),
  body: anyValue,
  attributes,
  traceId: fc.string({ maxLength: 32 }),
  spanId: fc.string({ maxLength: 16 }),
  eventName: fc.string({ maxLength: 10 }),
});
const logsRequest: fc.Arbitrary<ExportLogsRequest> = fc.record({
  resourceLogs: fc.array(
    fc.record({
      resource,
      scopeLogs: fc.array(fc.record({ scope, logRecords: fc.array(logRecord, { maxLength: 4 }) }), {
        maxLength: 2,
      }),
    }),
    { maxLength: 2 },
  ),
});

/** DuckDB keeps times as int64 microseconds: anything past that fails the commit. */
function inStoreRange(value: number, field: string): void {
  assert.ok(Number.isFinite(value) && Math.abs(value) < 2 ** 63, `${field} is ${value}`);
}

function finiteOrNull(value: number | null, field: string): void {
  assert.ok(value === null || Number.isFinite(value), `${field} is ${value}`);
}

describe('fuzzing the normalizers', () => {
  it('normalizeMetrics never throws and yields finite numbers', async () => {
    await check(
      fc.property(metricsRequest, (request) => {
        tried += 1;
        const { records, rejected } = normalizeMetrics(request);
        assert.ok(Number.isInteger(rejected) && rejected >= 0);
        for (const p of records) {
          for (const [field, value] of Object.entries({ value: p.value, startUs: p.startUs, endUs: p.endUs }))
            assert.ok(Number.isFinite(value), `${field} is ${value}`);
        }
      }),
      RUNS * 10,
    );
  });

  it('normalizeLogs never throws and yields finite numbers or null in typed fields', async () => {
    await check(
      fc.property(logsRequest, fc.boolean(), (request, dropContent) => {
        tried += 1;
        const { records } = normalizeLogs(request, { dropContent });
        for (const e of records) {
          inStoreRange(e.timeUs, 'timeUs');
          inStoreRange(e.observedUs, 'observedUs');
          const typed = {
            sequence: e.sequence,
            costUsd: e.costUsd,
            inputTokens: e.inputTokens,
            outputTokens: e.outputTokens,
            cacheReadTokens: e.cacheReadTokens,
            cacheCreationTokens: e.cacheCreationTokens,
            durationMs: e.durationMs,
            statusCode: e.statusCode,
          };
          for (const [field, value] of Object.entries(typed)) finiteOrNull(value, field);
        }
      }),
      RUNS * 10,
    );
  });

  // Found by fuzzing: a JSON number time past fixed64 overflowed the store's int64 microseconds, and
  // the store error became a 503 that a client retries forever.
  it('refuses OTLP/JSON times past fixed64 as malformed', () => {
    const logs = (t: number): string =>
      JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: t }] }] }] });
    const metrics = (t: number): string =>
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              { metrics: [{ name: 'm', gauge: { dataPoints: [{ timeUnixNano: t, asInt: '1' }] } }] },
            ],
          },
        ],
      });
    for (const t of [1e300, 9.3e21, 2 ** 64]) {
      assert.throws(() => decodeLogsRequestJson(logs(t)), OtlpDecodeError);
      assert.throws(() => decodeMetricsRequestJson(metrics(t)), OtlpDecodeError);
    }
    assert.equal(
      decodeLogsRequestJson(logs(2 ** 63)).resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.timeUs,
      2 ** 63 / 1000,
    );
  });
});
