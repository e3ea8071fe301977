import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
  encodeTraceProto,
  type JsonAnyValue,
  type JsonKeyValue,
} from '../../test/support/otlp-encode.js';
import {
  decodeLogsRequestProto,
  decodeMetricsRequestProto,
  decodeTraceRequestProto,
  nanosToMicros,
} from './decode-proto.js';
import { OtlpDecodeError } from './errors.js';
import type { AnyValue, KeyValue, MetricData } from './types.js';

const micros = (nanos: string): number => Number(BigInt(nanos) / 1000n);

/** The decoded form of a JSON-shaped attribute, written out independently of both decoders. */
function expectedValue(v: JsonAnyValue): AnyValue {
  if (v.stringValue !== undefined) return { kind: 'string', value: v.stringValue };
  if (v.intValue !== undefined) return { kind: 'int', value: Number(v.intValue) };
  if (v.doubleValue !== undefined) return { kind: 'double', value: Number(v.doubleValue) };
  throw new Error('unexpected value in fixture');
}
const expectedAttributes = (list: JsonKeyValue[]): KeyValue[] =>
  list.map((kv) => ({ key: kv.key, value: expectedValue(kv.value) }));

function metricsRequest(metrics: object[], resourceAttributes: object[] = []): object {
  return { resourceMetrics: [{ resource: { attributes: resourceAttributes }, scopeMetrics: [{ metrics }] }] };
}

function onlyMetric(bytes: Uint8Array): MetricData {
  const metric = decodeMetricsRequestProto(bytes).resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
  assert.ok(metric);
  return metric.data;
}

function decodeError(fn: () => unknown): OtlpDecodeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the decoder to throw');
}

describe('decodeMetricsRequestProto', () => {
  it('decodes a realistic Claude Code metrics export', () => {
    const request = claudeMetricsRequest({ count: 100, seed: 7, machineName: 'build-box' });
    const decoded = decodeMetricsRequestProto(encodeMetricsProto(request));
    const [rmJson] = request.resourceMetrics;
    const [rm] = decoded.resourceMetrics;
    assert.ok(rmJson && rm);
    assert.deepEqual(rm.resource.attributes, expectedAttributes(rmJson.resource.attributes));
    const [smJson] = rmJson.scopeMetrics;
    const [sm] = rm.scopeMetrics;
    assert.ok(smJson && sm);
    assert.deepEqual(sm.scope, { name: 'com.anthropic.claude_code', version: smJson.scope.version });
    assert.equal(sm.metrics.length, 7);
    let points = 0;
    sm.metrics.forEach((metric, i) => {
      const source = smJson.metrics[i];
      assert.ok(source?.sum);
      assert.equal(metric.name, source.name);
      assert.equal(metric.unit, source.unit);
      assert.equal(metric.description, source.description);
      assert.equal(metric.data.kind, 'sum');
      if (metric.data.kind !== 'sum') return;
      assert.equal(metric.data.temporality, 1);
      assert.equal(metric.data.isMonotonic, true);
      metric.data.points.forEach((point, j) => {
        const p = source.sum?.dataPoints[j];
        assert.ok(p);
        assert.deepEqual(point, {
          attributes: expectedAttributes(p.attributes),
          startTimeUs: micros(p.startTimeUnixNano),
          timeUs: micros(p.timeUnixNano),
          value: p.asDouble,
        });
        points += 1;
      });
    });
    assert.equal(points, 100);
  });

  it('converts nanoseconds to whole microseconds exactly', () => {
    const point = (ns: string): object => ({ timeUnixNano: ns, startTimeUnixNano: ns, asInt: '1' });
    const nanos = ['1700000000123456789', '1700000000123456999', '999', '1000', '0', '18446744073709551615'];
    const data = onlyMetric(
      encodeMetricsProto(metricsRequest([{ name: 'm', gauge: { dataPoints: nanos.map(point) } }])),
    );
    assert.equal(data.kind, 'gauge');
    if (data.kind !== 'gauge') return;
    assert.deepEqual(
      data.points.map((p) => p.timeUs),
      [1700000000123456, 1700000000123456, 0, 1, 0, Number(18446744073709551615n / 1000n)],
    );
    assert.deepEqual(
      data.points.map((p) => p.startTimeUs),
      data.points.map((p) => p.timeUs),
    );
  });

  it('splits fixed64 into exact microseconds for any pair of halves', () => {
    const rand = (n: number): number => Math.floor(Math.random() * n);
    const his = [0, 1, 395812345, 2097151999, 2097152000, 0xffffffff];
    for (let i = 0; i < 5000; i++) {
      const hi = i < his.length * 20 ? (his[i % his.length] ?? 0) : rand(0x100000000);
      const lo = i % 3 === 0 ? 0xffffffff - (i % 7) : rand(0x100000000);
      const exact = Number(((BigInt(hi) << 32n) | BigInt(lo)) / 1000n);
      assert.equal(nanosToMicros(hi, lo), exact, `hi=${hi} lo=${lo}`);
    }
  });

  it('reads as_int (sfixed64), as_double, and neither', () => {
    const points = [
      { asInt: '-5' },
      { asInt: '9007199254740993' },
      { asInt: '-9223372036854775808' },
      { asDouble: 0.125 },
      { asDouble: 'NaN' },
      {},
    ];
    const data = onlyMetric(
      encodeMetricsProto(metricsRequest([{ name: 'g', gauge: { dataPoints: points } }])),
    );
    assert.ok(data.kind === 'gauge');
    assert.deepEqual(
      data.points.map((p) => p.value),
      [-5, 9007199254740992, -9223372036854775808, 0.125, NaN, undefined],
    );
  });

  it('keeps cumulative temporality and non-monotonic sums', () => {
    const request = metricsRequest([
      { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ asInt: '3' }] } },
    ]);
    const data = onlyMetric(encodeMetricsProto(request));
    assert.deepEqual(data, {
      kind: 'sum',
      temporality: 2,
      isMonotonic: false,
      points: [{ attributes: [], startTimeUs: 0, timeUs: 0, value: 3 }],
    });
  });

  it('counts the points of histograms, exponential histograms and summaries, and notes metrics with no data', () => {
    const request = metricsRequest([
      {
        name: 'h',
        histogram: { aggregationTemporality: 1, dataPoints: [{ count: '2', bucketCounts: ['1', '1'] }, {}] },
      },
      { name: 'e', exponentialHistogram: { dataPoints: [{ scale: 3, positive: { bucketCounts: ['4'] } }] } },
      { name: 's', summary: { dataPoints: [{}, {}, { quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
      { name: 'n', unit: '1' },
    ]);
    const metrics = decodeMetricsRequestProto(encodeMetricsProto(request)).resourceMetrics[0]?.scopeMetrics[0]
      ?.metrics;
    assert.deepEqual(
      metrics?.map((m) => m.data),
      [
        { kind: 'unsupported', type: 'histogram', pointCount: 2 },
        { kind: 'unsupported', type: 'exponential histogram', pointCount: 1 },
        { kind: 'unsupported', type: 'summary', pointCount: 3 },
        { kind: 'none' },
      ],
    );
  });

  it('decodes every kind of attribute value, nested', () => {
    const value: JsonAnyValue = {
      kvlistValue: {
        values: [
          { key: 's', value: { stringValue: 'héllo' } },
          { key: 'b', value: { boolValue: true } },
          { key: 'i', value: { intValue: '-42' } },
          { key: 'd', value: { doubleValue: 1.5 } },
          { key: 'x', value: { bytesValue: Buffer.from([1, 2, 255]).toString('base64') } },
          {
            key: 'a',
            value: { arrayValue: { values: [{ stringValue: '' }, {}, { arrayValue: { values: [] } }] } },
          },
        ],
      },
    };
    const request = metricsRequest([
      { name: 'm', gauge: { dataPoints: [{ attributes: [{ key: 'k', value }] }] } },
    ]);
    const data = onlyMetric(encodeMetricsProto(request));
    assert.ok(data.kind === 'gauge');
    assert.deepEqual(data.points[0]?.attributes, [
      {
        key: 'k',
        value: {
          kind: 'kvlist',
          value: [
            { key: 's', value: { kind: 'string', value: 'héllo' } },
            { key: 'b', value: { kind: 'bool', value: true } },
            { key: 'i', value: { kind: 'int', value: -42 } },
            { key: 'd', value: { kind: 'double', value: 1.5 } },
            { key: 'x', value: { kind: 'bytes', value: new Uint8Array([1, 2, 255]) } },
            {
              key: 'a',
              value: {
                kind: 'array',
                value: [{ kind: 'string', value: '' }, { kind: 'empty' }, { kind: 'array', value: [] }],
              },
            },
          ],
        },
      },
    ]);
  });

  it('accepts values nested 32 levels deep and refuses 33', () => {
    const nested = (levels: number): JsonAnyValue => {
      let v: JsonAnyValue = { stringValue: 'leaf' };
      for (let i = 1; i < levels; i++) v = { arrayValue: { values: [v] } };
      return v;
    };
    const request = (levels: number): object => metricsRequest([], [{ key: 'deep', value: nested(levels) }]);
    assert.doesNotThrow(() => decodeMetricsRequestProto(encodeMetricsProto(request(32))));
    const error = decodeError(() => decodeMetricsRequestProto(encodeMetricsProto(request(33))));
    assert.match(
      error.message,
      /^resourceMetrics\[0\]\.resource\.attributes\[0\]\.value\.arrayValue\.values\[0\]/,
    );
    assert.match(error.message, /nested deeper than 32 levels$/);
  });
});

describe('decodeLogsRequestProto', () => {
  it('decodes a realistic Claude Code events export', () => {
    const request = claudeLogsRequest({ count: 100, seed: 3, sessionId: 'session-1' });
    const decoded = decodeLogsRequestProto(encodeLogsProto(request));
    const scopeLogs = decoded.resourceLogs[0]?.scopeLogs[0];
    const source = request.resourceLogs[0]?.scopeLogs[0];
    assert.ok(scopeLogs && source);
    assert.equal(scopeLogs.scope.name, 'com.anthropic.claude_code.events');
    assert.equal(scopeLogs.logRecords.length, 100);
    scopeLogs.logRecords.forEach((record, i) => {
      const r = source.logRecords[i];
      assert.ok(r);
      assert.deepEqual(record, {
        timeUs: micros(r.timeUnixNano),
        observedTimeUs: micros(r.observedTimeUnixNano),
        severityNumber: 0,
        severityText: '',
        body: expectedValue(r.body),
        attributes: expectedAttributes(r.attributes),
        traceId: '',
        spanId: '',
        eventName: '',
      });
    });
    const sessions = scopeLogs.logRecords.map((r) => r.attributes.find((a) => a.key === 'session.id')?.value);
    assert.ok(sessions.every((v) => v?.kind === 'string' && v.value === 'session-1'));
  });

  it('reads severity, event_name (field 12), ids as lowercase hex, and a structured body', () => {
    const request = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1700000000000000001',
                  severityNumber: 'SEVERITY_NUMBER_WARN',
                  severityText: 'WARN',
                  eventName: 'claude_code.api_error',
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }] } },
                  flags: 1,
                  droppedAttributesCount: 2,
                },
              ],
            },
          ],
        },
      ],
    };
    const record = decodeLogsRequestProto(encodeLogsProto(request)).resourceLogs[0]?.scopeLogs[0]
      ?.logRecords[0];
    assert.deepEqual(record, {
      timeUs: 1700000000000000,
      observedTimeUs: 0,
      severityNumber: 13,
      severityText: 'WARN',
      body: { kind: 'kvlist', value: [{ key: 'a', value: { kind: 'int', value: 1 } }] },
      attributes: [],
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      eventName: 'claude_code.api_error',
    });
  });

  it('uses empty defaults for a missing resource, scope and body', () => {
    const decoded = decodeLogsRequestProto(
      encodeLogsProto({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] }),
    );
    assert.deepEqual(decoded.resourceLogs[0]?.resource, { attributes: [] });
    assert.deepEqual(decoded.resourceLogs[0]?.scopeLogs[0]?.scope, { name: '', version: '' });
    assert.deepEqual(decoded.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.body, { kind: 'empty' });
    assert.deepEqual(decodeLogsRequestProto(new Uint8Array(0)), { resourceLogs: [] });
  });
});

describe('decodeTraceRequestProto', () => {
  it('counts spans and skips the rest', () => {
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'x',
      kind: 2,
    };
    const request = {
      resourceSpans: [
        { resource: { attributes: [] }, scopeSpans: [{ spans: [span, span] }, { spans: [span] }] },
        {
          scopeSpans: [{ scope: { name: 's' }, spans: [{ ...span, events: [{ name: 'e' }], links: [{}] }] }],
        },
      ],
    };
    assert.deepEqual(decodeTraceRequestProto(encodeTraceProto(request)), { spanCount: 4 });
    assert.deepEqual(decodeTraceRequestProto(new Uint8Array(0)), { spanCount: 0 });
  });
});

describe('malformed protobuf', () => {
  const valid = encodeMetricsProto(claudeMetricsRequest({ count: 3 }));

  it('refuses every truncation of a message', () => {
    for (let end = 1; end < valid.length; end++) {
      decodeError(() => decodeMetricsRequestProto(valid.subarray(0, end)));
    }
  });

  it('says where an inner length overruns its message', () => {
    // ExportMetricsServiceRequest { resource_metrics { scope_metrics { metrics { name: <length 50, 3 bytes> } } } }
    const metric = protobuf.Writer.create()
      .uint32(0x0a)
      .uint32(50)
      .raw(new Uint8Array([0x61, 0x62, 0x63]))
      .finish();
    const scope = protobuf.Writer.create().uint32(0x12).bytes(metric).finish();
    const resource = protobuf.Writer.create().uint32(0x12).bytes(scope).finish();
    const request = protobuf.Writer.create().uint32(0x0a).bytes(resource).finish();
    const error = decodeError(() => decodeMetricsRequestProto(request));
    assert.equal(error.path, 'resourceMetrics[0].scopeMetrics[0].metrics[0]');
    assert.match(error.message, /^resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]: truncated/);
  });

  it('refuses a known field with the wrong wire type, and invalid wire types', () => {
    assert.match(
      decodeError(() => decodeMetricsRequestProto(new Uint8Array([0x08, 0x01]))).message,
      /field 1 has wire type 0, expected 2/,
    );
    decodeError(() => decodeLogsRequestProto(new Uint8Array([0x0f, 0x01])));
    decodeError(() => decodeTraceRequestProto(new Uint8Array([0x0c])));
    decodeError(() => decodeMetricsRequestProto(new Uint8Array([0x00, 0x00])));
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = protobuf.Writer.create();
    unknown.uint32((99 << 3) | 0).uint64('18446744073709551615');
    unknown.uint32((98 << 3) | 1).fixed64(1);
    unknown.uint32((97 << 3) | 2).string('ignored');
    unknown.uint32((96 << 3) | 5).fixed32(1);
    const extra = unknown.finish();
    const bytes = Buffer.concat([extra, encodeMetricsProto(claudeMetricsRequest({ count: 3 })), extra]);
    assert.deepEqual(decodeMetricsRequestProto(bytes), decodeMetricsRequestProto(valid));
  });

  it('throws only OtlpDecodeError on random and corrupted input', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const logs = encodeLogsProto(claudeLogsRequest({ count: 3 }));
    for (let i = 0; i < 3000; i++) {
      const base = i % 2 === 0 ? valid : logs;
      const bytes =
        i % 3 === 0 ? Uint8Array.from({ length: next() % 64 }, () => next() & 0xff) : Uint8Array.from(base);
      if (i % 3 !== 0) for (let k = 0; k < 1 + (i % 4); k++) bytes[next() % bytes.length] = next() & 0xff;
      for (const decode of [decodeMetricsRequestProto, decodeLogsRequestProto, decodeTraceRequestProto]) {
        try {
          decode(bytes);
        } catch (e) {
          assert.ok(
            e instanceof OtlpDecodeError,
            `input ${Buffer.from(bytes).toString('hex')}: ${String(e)}`,
          );
        }
      }
    }
  });
});
