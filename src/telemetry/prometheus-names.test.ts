import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLAUDE_CODE_METRICS,
  claudeCodeMetricName,
  prometheusLabelName,
  prometheusMetricName,
} from './prometheus-names.js';

describe('Prometheus metric names (the Collector translator, suffixes on)', () => {
  it("names Claude Code's metrics as the Collector does", () => {
    const names = Object.keys(CLAUDE_CODE_METRICS).map(claudeCodeMetricName).sort();
    assert.deepEqual(names, [
      'claude_code_active_time_seconds_total',
      'claude_code_code_edit_tool_decision_total',
      'claude_code_commit_count_total',
      'claude_code_cost_usage_USD_total',
      'claude_code_lines_of_code_count_total',
      'claude_code_pull_request_count_total',
      'claude_code_session_count_total',
      'claude_code_token_usage_tokens_total',
    ]);
  });

  it('appends units, drops a unit the name holds, handles per-units and annotations', () => {
    const counter = { kind: 'sum', monotonic: true } as const;
    const gauge = { kind: 'gauge', monotonic: false } as const;
    assert.equal(
      prometheusMetricName('http.duration', { ...gauge, unit: 'ms' }),
      'http_duration_milliseconds',
    );
    assert.equal(prometheusMetricName('net.io', { ...counter, unit: 'By' }), 'net_io_bytes_total');
    assert.equal(prometheusMetricName('tokens.used', { ...counter, unit: 'tokens' }), 'tokens_used_total');
    assert.equal(prometheusMetricName('requests', { ...counter, unit: '{request}' }), 'requests_total');
    assert.equal(
      prometheusMetricName('throughput', { ...gauge, unit: 'By/s' }),
      'throughput_bytes_per_second',
    );
    assert.equal(prometheusMetricName('cpu.utilization', { ...gauge, unit: '1' }), 'cpu_utilization_ratio');
    assert.equal(prometheusMetricName('items', { ...counter, unit: '1' }), 'items_total');
    assert.equal(prometheusMetricName('total.errors', { ...counter, unit: '' }), 'errors_total');
    assert.equal(prometheusMetricName('2xx.count', { ...gauge, unit: '' }), '_2xx_count');
    assert.equal(prometheusMetricName('up.down', { kind: 'sum', monotonic: false, unit: '' }), 'up_down');
  });
});

describe('Prometheus label names', () => {
  it('replaces what a label name cannot hold and guards leading digits and underscores', () => {
    assert.equal(prometheusLabelName('session.id'), 'session_id');
    assert.equal(prometheusLabelName('user.email'), 'user_email');
    assert.equal(prometheusLabelName('agent-name'), 'agent_name');
    assert.equal(prometheusLabelName('9lives'), 'key_9lives');
    assert.equal(prometheusLabelName('_private'), 'key_private');
    assert.equal(prometheusLabelName('__reserved'), 'key__reserved');
    assert.equal(prometheusLabelName('type'), 'type');
  });
});
