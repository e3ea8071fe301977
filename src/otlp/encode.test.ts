import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { otlpRoot } from '../../test/support/otlp-encode.js';
import { encodeExportResponse, encodeStatus, RETRY_INFO_TYPE_URL } from './encode.js';
import type { Signal } from './types.js';

// google/rpc/status.proto, google/rpc/error_details.proto (RetryInfo), google/protobuf/{any,duration}.proto
const rpc = protobuf.parse(`
syntax = "proto3";
package google.rpc;
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
message RetryInfo { google.protobuf.Duration retry_delay = 1; }
`).root;
protobuf.parse(
  `
syntax = "proto3";
package google.protobuf;
message Any { string type_url = 1; bytes value = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
`,
  rpc,
);
rpc.resolveAll();
const Status = rpc.lookupType('google.rpc.Status');
const RetryInfo = rpc.lookupType('google.rpc.RetryInfo');

const asObject = (type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> =>
  type.toObject(type.decode(bytes), { longs: String, defaults: false });
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('encodeStatus', () => {
  it('encodes a google.rpc.Status with RetryInfo as protobuf', () => {
    const bytes = encodeStatus(14, 'store is busy, retry later', 'proto', 1500);
    const status = Status.decode(bytes) as unknown as {
      code: number;
      message: string;
      details: { typeUrl: string; value: Uint8Array }[];
    };
    assert.equal(status.code, 14);
    assert.equal(status.message, 'store is busy, retry later');
    assert.equal(status.details.length, 1);
    assert.equal(status.details[0]?.typeUrl, RETRY_INFO_TYPE_URL);
    assert.equal(RETRY_INFO_TYPE_URL, 'type.googleapis.com/google.rpc.RetryInfo');
    assert.deepEqual(asObject(RetryInfo, status.details[0]?.value ?? new Uint8Array()), {
      retryDelay: { seconds: '1', nanos: 500000000 },
    });
  });

  it('leaves details out without a retry delay', () => {
    assert.deepEqual(asObject(Status, encodeStatus(3, 'bad request', 'proto')), {
      code: 3,
      message: 'bad request',
    });
    assert.equal(encodeStatus(0, '', 'proto').length, 0);
  });

  it('writes whole-second and sub-millisecond delays', () => {
    const delay = (ms: number) => {
      const status = Status.decode(encodeStatus(8, 'm', 'proto', ms)) as unknown as {
        details: { value: Uint8Array }[];
      };
      return asObject(RetryInfo, status.details[0]?.value ?? new Uint8Array()).retryDelay;
    };
    assert.deepEqual(delay(30000), { seconds: '30' });
    assert.deepEqual(delay(0.25), { nanos: 250000 });
    assert.deepEqual(delay(0), {});
    assert.deepEqual(delay(-5), {});
  });

  it('encodes the JSON form with an "@type" detail and a proto3 JSON duration', () => {
    assert.equal(
      text(encodeStatus(14, 'busy', 'json', 1500)),
      '{"code":14,"message":"busy","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.500s"}]}',
    );
    assert.equal(text(encodeStatus(3, 'bad "input"', 'json')), '{"code":3,"message":"bad \\"input\\""}');
    const retryDelay = (ms: number): unknown =>
      (JSON.parse(text(encodeStatus(14, '', 'json', ms))) as { details: { retryDelay: string }[] }).details[0]
        ?.retryDelay;
    assert.equal(retryDelay(2000), '2s');
    assert.equal(retryDelay(0.5), '0.000500s');
    assert.equal(retryDelay(1.000001), '0.001000001s');
    assert.equal(retryDelay(999.9999999), '1s');
  });
});

describe('encodeExportResponse', () => {
  const responses: [Signal, string, string][] = [
    [
      'metrics',
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
      'rejectedDataPoints',
    ],
    ['logs', 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse', 'rejectedLogRecords'],
    ['traces', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse', 'rejectedSpans'],
  ];

  for (const [signal, typeName, rejectedKey] of responses) {
    it(`encodes the ${signal} response as protobuf`, () => {
      const type = otlpRoot.lookupType(typeName);
      const partial = { rejected: 3, errorMessage: 'histogram points are not supported' };
      assert.deepEqual(asObject(type, encodeExportResponse(signal, partial, 'proto')), {
        partialSuccess: { [rejectedKey]: '3', errorMessage: 'histogram points are not supported' },
      });
      assert.deepEqual(
        asObject(type, encodeExportResponse(signal, { rejected: 0, errorMessage: '' }, 'proto')),
        {
          partialSuccess: {},
        },
      );
      const empty = encodeExportResponse(signal, undefined, 'proto');
      assert.equal(empty.length, 0);
      assert.deepEqual(asObject(type, empty), {});
    });

    it(`encodes the ${signal} response as OTLP/JSON, int64 as a string`, () => {
      assert.equal(text(encodeExportResponse(signal, undefined, 'json')), '{}');
      assert.equal(
        text(encodeExportResponse(signal, { rejected: 3, errorMessage: 'x' }, 'json')),
        `{"partialSuccess":{"${rejectedKey}":"3","errorMessage":"x"}}`,
      );
      assert.equal(
        text(encodeExportResponse(signal, { rejected: 0, errorMessage: 'warning only' }, 'json')),
        '{"partialSuccess":{"errorMessage":"warning only"}}',
      );
    });
  }

  it('writes large counts exactly', () => {
    const type = otlpRoot.lookupType(responses[0]?.[1] ?? '');
    const bytes = encodeExportResponse('metrics', { rejected: 2 ** 40 + 1, errorMessage: '' }, 'proto');
    assert.deepEqual(asObject(type, bytes), { partialSuccess: { rejectedDataPoints: String(2 ** 40 + 1) } });
  });
});
