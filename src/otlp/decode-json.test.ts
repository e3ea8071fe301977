import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
  encodeTraceProto,
  type JsonAnyValue,
} from '../../test/support/otlp-encode.js';
import { decodeLogsRequestJson, decodeMetricsRequestJson, decodeTraceRequestJson } from './decode-json.js';
import {
  decodeLogsRequestProto,
  decodeMetricsRequestProto,
  decodeTraceRequestProto,
} from './decode-proto.js';
import { OtlpDecodeError } from './errors.js';
import type { MetricData } from './types.js';

/** The proto3 field names: OTLP/JSON receivers must accept them as well as lowerCamelCase. */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCase(v)]),
  );
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

const metricsJson = (metrics: object[]): string =>
  JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics }] }] });

function onlyMetric(text: string): MetricData {
  const metric = decodeMetricsRequestJson(text).resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
  assert.ok(metric);
  return metric.data;
}

describe('OTLP/JSON and OTLP/protobuf decode to the same thing', () => {
  it('for realistic metrics, delta and cumulative', () => {
    for (const temporality of [1, 2] as const) {
      const request = claudeMetricsRequest({ count: 100, seed: 11, temporality });
      const fromJson = decodeMetricsRequestJson(JSON.stringify(request));
      assert.deepEqual(fromJson, decodeMetricsRequestProto(encodeMetricsProto(request)));
      const sum = fromJson.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.data;
      assert.ok(sum?.kind === 'sum' && sum.temporality === temporality);
    }
  });

  it('for realistic events', () => {
    const request = claudeLogsRequest({ count: 100, seed: 5 });
    assert.deepEqual(
      decodeLogsRequestJson(JSON.stringify(request)),
      decodeLogsRequestProto(encodeLogsProto(request)),
    );
  });

  it('for every value kind, ids, severities, unsupported metrics and edge numbers', () => {
    const value: JsonAnyValue = {
      arrayValue: {
        values: [
          { stringValue: 'ü' },
          { boolValue: false },
          { intValue: '-9007199254740993' },
          { doubleValue: 'Infinity' },
          { doubleValue: '-Infinity' },
          { doubleValue: 'NaN' },
          { doubleValue: '-0' },
          { bytesValue: 'AAEC/w==' },
          { kvlistValue: { values: [{ key: 'k', value: {} }] } },
          {},
        ],
      },
    };
    const metrics = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'v', value }] },
          scopeMetrics: [
            {
              scope: { name: 's', version: '1' },
              metrics: [
                {
                  name: 'g',
                  gauge: { dataPoints: [{ asInt: '12', timeUnixNano: '1700000000123456789' }, {}] },
                },
                { name: 'h', histogram: { dataPoints: [{}, {}] } },
                { name: 'e', exponentialHistogram: { dataPoints: [{}] } },
                { name: 's', summary: { dataPoints: [] } },
                { name: 'n' },
              ],
            },
          ],
        },
      ],
    };
    assert.deepEqual(
      decodeMetricsRequestJson(JSON.stringify(metrics)),
      decodeMetricsRequestProto(encodeMetricsProto(metrics)),
    );
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  severityNumber: 17,
                  severityText: 'ERROR',
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  eventName: 'claude_code.api_error',
                  body: value,
                  observedTimeUnixNano: '1700000000999999999',
                },
              ],
            },
          ],
        },
      ],
    };
    assert.deepEqual(
      decodeLogsRequestJson(JSON.stringify(logs)),
      decodeLogsRequestProto(encodeLogsProto(logs)),
    );
  });

  it('for span counts', () => {
    const trace = {
      resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }, {}] }, { scopeSpans: [{ spans: [{}] }] }],
    };
    assert.deepEqual(decodeTraceRequestJson(JSON.stringify(trace)), { spanCount: 3 });
    assert.deepEqual(decodeTraceRequestProto(encodeTraceProto(trace)), { spanCount: 3 });
  });
});

describe('decode*Json', () => {
  it('accepts the proto field names (snake_case)', () => {
    const metrics = claudeMetricsRequest({ count: 20, temporality: 2 });
    assert.deepEqual(
      decodeMetricsRequestJson(JSON.stringify(snakeCase(metrics))),
      decodeMetricsRequestJson(JSON.stringify(metrics)),
    );
    const logs = claudeLogsRequest({ count: 12 });
    assert.deepEqual(
      decodeLogsRequestJson(JSON.stringify(snakeCase(logs))),
      decodeLogsRequestJson(JSON.stringify(logs)),
    );
    assert.ok(JSON.stringify(snakeCase(logs)).includes('"time_unix_nano"'));
  });

  it('converts nanoseconds to whole microseconds exactly, from strings and numbers', () => {
    const data = onlyMetric(
      metricsJson([
        {
          name: 'g',
          gauge: {
            dataPoints: [
              { timeUnixNano: '1700000000123456789', startTimeUnixNano: 1700000000123 },
              { timeUnixNano: '999', startTimeUnixNano: 0 },
              { timeUnixNano: '18446744073709551615', startTimeUnixNano: 9007199254740991 },
            ],
          },
        },
      ]),
    );
    assert.ok(data.kind === 'gauge');
    assert.deepEqual(
      data.points.map((p) => [p.timeUs, p.startTimeUs]),
      [
        [1700000000123456, 1700000000],
        [0, 0],
        [Number(18446744073709551615n / 1000n), 9007199254740],
      ],
    );
  });

  it('accepts int64 as numbers and enums by name', () => {
    const data = onlyMetric(
      metricsJson([
        {
          name: 'c',
          sum: {
            aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE',
            isMonotonic: true,
            dataPoints: [
              { asInt: 7, attributes: [{ key: 'n', value: { intValue: 3 } }] },
              { asDouble: '2.5e3' },
            ],
          },
        },
      ]),
    );
    assert.deepEqual(data, {
      kind: 'sum',
      temporality: 2,
      isMonotonic: true,
      points: [
        { attributes: [{ key: 'n', value: { kind: 'int', value: 3 } }], startTimeUs: 0, timeUs: 0, value: 7 },
        { attributes: [], startTimeUs: 0, timeUs: 0, value: 2500 },
      ],
    });
    const text = JSON.stringify({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'SEVERITY_NUMBER_INFO2' }] }] }],
    });
    assert.equal(
      decodeLogsRequestJson(text).resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.severityNumber,
      10,
    );
  });

  it('lowercases hex ids and tolerates base64 ids of the right length', () => {
    const record = (traceId: string, spanId: string): string =>
      JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId, spanId }] }] }] });
    const first = (text: string) => decodeLogsRequestJson(text).resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
    assert.equal(
      first(record('5B8EFFF798038103D269B633813FC60C', 'EEE19B7EC3C1B174'))?.traceId,
      '5b8efff798038103d269b633813fc60c',
    );
    const b64 = first(record(Buffer.from('5b8efff798038103d269b633813fc60c', 'hex').toString('base64'), ''));
    assert.equal(b64?.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(b64?.spanId, '');
    assert.match(
      decodeError(() => first(record('not an id!', ''))).message,
      /logRecords\[0\]\.traceId: expected a hex id/,
    );
  });

  it('treats null and missing fields as defaults and ignores unknown fields', () => {
    const text = JSON.stringify({
      resourceMetrics: [
        { resource: null, scopeMetrics: [{ scope: null, metrics: [{ name: 'm', sum: null, extra: [1] }] }] },
      ],
      unknown: { anything: true },
    });
    const rm = decodeMetricsRequestJson(text).resourceMetrics[0];
    assert.deepEqual(rm, {
      resource: { attributes: [] },
      scopeMetrics: [
        {
          scope: { name: '', version: '' },
          metrics: [{ name: 'm', description: '', unit: '', data: { kind: 'none' } }],
        },
      ],
    });
    assert.deepEqual(decodeMetricsRequestJson('{}'), { resourceMetrics: [] });
    assert.deepEqual(decodeLogsRequestJson('\ufeff{"resourceLogs":null}'), { resourceLogs: [] });
  });
});

describe('malformed OTLP/JSON', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['not JSON', () => decodeMetricsRequestJson('{"resourceMetrics": ['), /^invalid JSON/],
    ['empty body', () => decodeLogsRequestJson(''), /^invalid JSON/],
    ['a top-level array', () => decodeMetricsRequestJson('[]'), /^expected a JSON object, got an array$/],
    ['a top-level null', () => decodeTraceRequestJson('null'), /^expected a JSON object, got null$/],
    [
      'resourceMetrics not an array',
      () => decodeMetricsRequestJson('{"resourceMetrics":{}}'),
      /^resourceMetrics: expected an array, got an object$/,
    ],
    [
      'an element not an object',
      () => decodeLogsRequestJson('{"resourceLogs":[1]}'),
      /^resourceLogs\[0\]: expected an object, got number$/,
    ],
    [
      'a bad time',
      () =>
        decodeMetricsRequestJson(
          metricsJson([{ name: 'x', sum: { dataPoints: [{}, { timeUnixNano: '12.5' }] } }]),
        ),
      /^resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.sum\.dataPoints\[1\]\.timeUnixNano: expected nanoseconds/,
    ],
    [
      'a negative time',
      () =>
        decodeMetricsRequestJson(
          metricsJson([{ name: 'x', gauge: { dataPoints: [{ startTimeUnixNano: -1 }] } }]),
        ),
      /dataPoints\[0\]\.startTimeUnixNano: expected nanoseconds as a non-negative integer, got -1$/,
    ],
    [
      'a string value that is a number',
      () =>
        decodeMetricsRequestJson(
          metricsJson([
            { name: 'x', gauge: { dataPoints: [{ attributes: [{ key: 'k', value: { stringValue: 5 } }] }] } },
          ]),
        ),
      /dataPoints\[0\]\.attributes\[0\]\.value\.stringValue: expected a string, got number$/,
    ],
    [
      'a name that is not a string',
      () => decodeMetricsRequestJson(metricsJson([{ name: ['x'] }])),
      /metrics\[0\]\.name: expected a string, got an array$/,
    ],
    [
      'an unknown temporality',
      () =>
        decodeMetricsRequestJson(metricsJson([{ name: 'x', sum: { aggregationTemporality: 'SOMETIMES' } }])),
      /metrics\[0\]\.sum\.aggregationTemporality: unknown aggregation temporality "SOMETIMES"$/,
    ],
    [
      'a fractional int',
      () => decodeMetricsRequestJson(metricsJson([{ name: 'x', gauge: { dataPoints: [{ asInt: 1.5 }] } }])),
      /asInt: expected an integer, got 1\.5$/,
    ],
    [
      'an int64 that is too long',
      () =>
        decodeMetricsRequestJson(
          metricsJson([{ name: 'x', gauge: { dataPoints: [{ asInt: '1'.repeat(400) }] } }]),
        ),
      /asInt: expected an integer/,
    ],
    [
      'a bad double',
      () =>
        decodeMetricsRequestJson(metricsJson([{ name: 'x', gauge: { dataPoints: [{ asDouble: 'lots' }] } }])),
      /asDouble: expected a number, got "lots"$/,
    ],
    [
      'a bad bool',
      () => decodeMetricsRequestJson(metricsJson([{ name: 'x', sum: { isMonotonic: 'yes' } }])),
      /sum\.isMonotonic: expected a boolean, got string$/,
    ],
    [
      'bad base64',
      () =>
        decodeLogsRequestJson(
          JSON.stringify({
            resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { bytesValue: '!!' } }] }] }],
          }),
        ),
      /logRecords\[0\]\.body\.bytesValue: expected base64 text/,
    ],
    [
      'spans not an array',
      () => decodeTraceRequestJson('{"resourceSpans":[{"scopeSpans":[{"spans":3}]}]}'),
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array, got number$/,
    ],
  ];
  for (const [name, run, message] of cases) {
    it(`refuses ${name} with a message that says where`, () => {
      assert.match(decodeError(run).message, message);
    });
  }

  it('accepts values nested 32 levels deep and refuses 33', () => {
    const nested = (levels: number): JsonAnyValue => {
      let v: JsonAnyValue = { intValue: '1' };
      for (let i = 1; i < levels; i++) v = { kvlistValue: { values: [{ key: 'k', value: v }] } };
      return v;
    };
    const text = (levels: number): string =>
      JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: nested(levels) }] }] }] });
    assert.doesNotThrow(() => decodeLogsRequestJson(text(32)));
    const error = decodeError(() => decodeLogsRequestJson(text(33)));
    assert.match(error.message, /nested deeper than 32 levels$/);
    assert.ok(
      error.path.startsWith('resourceLogs[0].scopeLogs[0].logRecords[0].body.kvlistValue.values[0].value.'),
    );
    assert.ok(error.message.length < 300, 'a long path is shortened in the message');
  });

  it('survives absurdly deep JSON', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    decodeError(() => decodeMetricsRequestJson(`{"resourceMetrics":${deep}}`));
  });
});
