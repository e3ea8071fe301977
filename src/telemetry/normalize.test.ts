import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValue } from '../otlp/types.js';
import { logsRequest, metricsRequest } from '../../test/support/requests.js';
import { normalizeLogs } from './normalize-logs.js';
import { normalizeMetrics } from './normalize-metrics.js';

const RES = { 'service.name': 'claude-code', 'service.version': '2.1.197', 'machine.name': 'from-resource' };
const T = 1_760_000_000_000_000;

describe('normalizeMetrics', () => {
  it('keeps unknown metrics, takes standard fields from the point first and the resource second', () => {
    const { records, rejected } = normalizeMetrics(
      metricsRequest(RES, [
        {
          metric: 'some.future.metric',
          value: 3,
          startUs: T,
          endUs: T + 1,
          attrs: { 'machine.name': 'from-point', 'session.id': 's' },
        },
      ]),
    );
    assert.equal(rejected, 0);
    assert.equal(records[0]?.metric, 'some.future.metric');
    assert.equal(records[0]?.origin.machineName, 'from-point');
    assert.equal(records[0]?.origin.serviceVersion, '2.1.197');
    assert.equal(records[0]?.origin.sessionId, 's');
  });

  it('gives the same series key to the same series and a different one to another session', () => {
    const make = (session: string, endUs: number) =>
      normalizeMetrics(
        metricsRequest(RES, [
          { metric: 'claude_code.cost.usage', value: 1, startUs: T, endUs, attrs: { 'session.id': session } },
        ]),
      ).records[0]?.seriesKey;
    assert.equal(make('a', T + 5), make('a', T + 9));
    assert.notEqual(make('a', T + 5), make('b', T + 5));
  });
});

describe('normalizeLogs', () => {
  const event = (attrs: Record<string, string | number | boolean>) =>
    normalizeLogs(logsRequest(RES, [{ timeUs: T, attrs: { 'event.name': 'x', ...attrs } }]), {
      dropContent: false,
    }).records[0];

  it('coerces the value types Claude Code sends as strings', () => {
    const e = event({
      'event.name': 'tool_result',
      success: 'true',
      duration_ms: '31',
      tool_input_size_bytes: '12',
      'event.sequence': '4',
    });
    assert.equal(e?.success, true);
    assert.equal(e?.durationMs, 31);
    assert.equal(e?.sequence, 4);
    assert.equal(event({ success: 'false' })?.success, false);
    assert.equal(event({ status_code: '529' })?.statusCode, 529);
    assert.equal(event({ cost_usd: 'abc' })?.costUsd, null);
    assert.equal(event({ input_tokens: 1e300 })?.inputTokens, null);
  });

  it('takes the event time from event.timestamp and the name from event.name, keeping unknown events', () => {
    const e = event({ 'event.name': 'brand_new_event', 'event.timestamp': '2026-01-02T03:04:05.678Z' });
    assert.equal(e?.name, 'brand_new_event');
    assert.equal(e?.timeUs, Date.parse('2026-01-02T03:04:05.678Z') * 1000);
  });

  it('drops prompt, response and tool input text when asked, and only then', () => {
    const request = logsRequest(RES, [
      {
        timeUs: T,
        attrs: {
          'event.name': 'tool_result',
          tool_input: 'rm -rf /',
          prompt: 'secret plan',
          tool_name: 'Bash',
        },
      },
    ]);
    const kept = normalizeLogs(request, { dropContent: false }).records[0];
    const dropped = normalizeLogs(request, { dropContent: true }).records[0];
    const attributes = (json = '{}') => JSON.parse(json) as Record<string, unknown>;
    assert.equal(attributes(kept?.attributesJson).tool_input, 'rm -rf /');
    assert.equal(attributes(dropped?.attributesJson).tool_input, '<REDACTED>');
    assert.equal(attributes(dropped?.attributesJson).prompt, '<REDACTED>');
    assert.equal(dropped?.toolName, 'Bash');
  });

  it("keeps an attribute named __proto__ as an attribute, not as the attributes' prototype", () => {
    const request = logsRequest(RES, [{ timeUs: T, attrs: { 'event.name': 'user_prompt' } }]);
    const record = request.resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
    assert.ok(record);
    const smuggled: KeyValue = {
      key: '__proto__',
      value: { kind: 'kvlist', value: [{ key: 'session.id', value: { kind: 'string', value: 'not-mine' } }] },
    };
    const { records } = normalizeLogs(
      {
        resourceLogs: [
          {
            ...request.resourceLogs[0]!,
            scopeLogs: [
              {
                ...request.resourceLogs[0]!.scopeLogs[0]!,
                logRecords: [{ ...record, attributes: [...record.attributes, smuggled] }],
              },
            ],
          },
        ],
      },
      { dropContent: false },
    );
    assert.equal(records[0]?.origin.sessionId, null);
    // event.name is kept in its typed column (bit 0), the rest as JSON.
    assert.equal(records[0]?.attributesJson, '{"__proto__":{"session.id":"not-mine"}}');
    assert.equal(records[0]?.typedAttributes, 1);
  });
});
