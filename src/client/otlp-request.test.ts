import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otlpRoot } from '../../test/support/otlp-encode.js';
import { decodePartialJson, decodePartialProto, encodeCheckJson, encodeCheckProto } from './otlp-request.js';

const point = { machineName: 'laptop', timeMs: 1_767_225_600_123, version: '0.1.0' };
const Request = otlpRoot.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const Response = otlpRoot.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');

describe('the client check request', () => {
  it('encodes the same request as protobuf and as OTLP/JSON (checked with an independent decoder)', () => {
    const fromProto = Request.toObject(Request.decode(encodeCheckProto(point)), {
      longs: String,
      defaults: false,
    });
    const fromJson = JSON.parse(Buffer.from(encodeCheckJson(point)).toString('utf8')) as unknown;
    assert.deepEqual(fromProto, fromJson);
    const metric = (
      fromProto as {
        resourceMetrics: {
          scopeMetrics: {
            metrics: { name: string; gauge: { dataPoints: { timeUnixNano: string; asDouble: number }[] } }[];
          }[];
        }[];
      }
    ).resourceMetrics[0]?.scopeMetrics[0]?.metrics[0];
    assert.equal(metric?.name, 'ccmon.client_check');
    assert.equal(metric?.gauge.dataPoints[0]?.timeUnixNano, '1767225600123000000');
    assert.equal(metric?.gauge.dataPoints[0]?.asDouble, 1);
  });

  it('reads partial success from both encodings', () => {
    const proto = Response.encode(
      Response.fromObject({ partialSuccess: { rejectedDataPoints: 1, errorMessage: 'gauges are not kept' } }),
    ).finish();
    assert.deepEqual(decodePartialProto(proto), { rejected: 1, message: 'gauges are not kept' });
    assert.equal(decodePartialProto(new Uint8Array()), undefined);
    assert.deepEqual(decodePartialJson('{"partialSuccess":{"rejectedDataPoints":"2"}}'), {
      rejected: 2,
      message: '',
    });
    assert.equal(decodePartialJson('{}'), undefined);
  });
});
