/**
 * The web UI's pure parts, without a browser: number formats, time ranges, the URL state, hour steps
 * and the setup block (which must stay the README's).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  formatDuration,
  formatMs,
  formatPercent,
  formatShort,
  formatUsd,
  formatValue,
} from '../ui/src/format.js';
import { stepBuckets } from '../ui/src/series.js';
import { settingsJson, shellBlock } from '../ui/src/setup-block.js';
import { DEFAULT_STATE, formatState, parseState } from '../ui/src/state.js';
import { parseTimeExpr, presetLabel, resolveRange } from '../ui/src/time.js';

describe('UI number formats', () => {
  it('formats dollars, small amounts with two significant digits', () => {
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(1.234), '$1.23');
    assert.equal(formatUsd(1234.5), '$1,234.50');
    assert.equal(formatUsd(0.0069), '$0.0069');
    assert.equal(formatUsd(0.00123456), '$0.0012');
    assert.equal(formatUsd(-2.5), '-$2.50');
    assert.equal(formatUsd(2_500_000), '$2.5M');
  });

  it('formats counts and tokens with k and M', () => {
    assert.equal(formatShort(0), '0');
    assert.equal(formatShort(950), '950');
    assert.equal(formatShort(12.345), '12.3');
    assert.equal(formatShort(1234), '1.23k');
    assert.equal(formatShort(69_400), '69.4k');
    assert.equal(formatShort(123_456), '123k');
    assert.equal(formatShort(999_999), '1M');
    assert.equal(formatShort(1_500_000), '1.5M');
    assert.equal(formatShort(2e9), '2B');
  });

  it('formats durations as their two largest parts', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(0.25), '250ms');
    assert.equal(formatDuration(2.6), '2.6s');
    assert.equal(formatDuration(45), '45s');
    assert.equal(formatDuration(65), '1m 5s');
    assert.equal(formatDuration(3600), '1h');
    assert.equal(formatDuration(3900), '1h 5m');
    assert.equal(formatDuration(3_600 * 24 * 2 + 3 * 3600), '2d 3h');
    assert.equal(formatValue(1.5, 'h'), '1h 30m');
  });

  it('formats milliseconds and percent', () => {
    assert.equal(formatMs(850), '850 ms');
    assert.equal(formatMs(12.34), '12.3 ms');
    assert.equal(formatMs(1250), '1.25 s');
    assert.equal(formatMs(125_000), '2m 5s');
    assert.equal(formatPercent(74.6789), '74.7%');
    assert.equal(formatPercent(5), '5%');
    assert.equal(formatValue(Number.NaN, 'currencyUSD'), '–');
  });
});

describe('UI time ranges', () => {
  const now = Date.UTC(2026, 2, 4, 12, 0, 0);

  it('reads relative, zoned and local times', () => {
    assert.equal(parseTimeExpr('now', now), now);
    assert.equal(parseTimeExpr('now-6h', now), now - 6 * 3_600_000);
    assert.equal(parseTimeExpr('2026-03-04T10:00:00Z', now), Date.UTC(2026, 2, 4, 10));
    assert.equal(parseTimeExpr('2026-03-04T10:00:00.500+02:00', now), Date.UTC(2026, 2, 4, 8, 0, 0, 500));
    assert.equal(parseTimeExpr('2026-03-04 10:00', now), new Date(2026, 2, 4, 10, 0).getTime());
    assert.equal(parseTimeExpr('yesterday', now), undefined);
    assert.equal(parseTimeExpr('2026-03-04T10:00', now), new Date(2026, 2, 4, 10, 0).getTime());
  });

  it('resolves presets and refuses backwards custom ranges', () => {
    assert.deepEqual(resolveRange({ kind: 'preset', preset: '8h' }, now), {
      fromMs: now - 8 * 3_600_000,
      toMs: now,
    });
    assert.equal(typeof resolveRange({ kind: 'custom', from: 'now', to: 'now-1h' }, now), 'string');
    assert.equal(typeof resolveRange({ kind: 'custom', from: 'soon', to: 'now' }, now), 'string');
    assert.equal(presetLabel('15m'), 'Last 15 minutes');
    assert.equal(presetLabel('1h'), 'Last 1 hour');
  });
});

describe('UI state in the URL', () => {
  it('round-trips every setting, with odd characters in filter values and session ids', () => {
    const state = {
      page: { name: 'session', id: 'a/b?c#d e' },
      range: { kind: 'custom', from: '2026-03-04T10:00:00Z', to: 'now' },
      refresh: '1m',
      billingDay: 15,
      filters: { machine: 'my laptop & co', model: 'claude-sonnet-4-5', service_version: '2.1.197' },
    } as const;
    const hash = formatState(state);
    assert.deepEqual(parseState(hash), state);
    assert.deepEqual(parseState(formatState(DEFAULT_STATE)), DEFAULT_STATE);
  });

  it('falls back to the defaults for anything invalid', () => {
    const state = parseState('#/nowhere?range=5y&refresh=2s&billingDay=31&bogus=1');
    assert.deepEqual(state, DEFAULT_STATE);
    assert.deepEqual(parseState('#/sessions?range=7d').range, { kind: 'preset', preset: '7d' });
    assert.deepEqual(parseState('#/alerts').page, { name: 'alerts' });
  });
});

describe('UI hour steps', () => {
  const H = 3_600_000;

  it('fills the hours without data with 0 and holds each value for its hour', () => {
    const steps = stepBuckets([[2 * H, 5]], H, 0.5 * H, 3.5 * H, 0);
    assert.deepEqual(steps, [
      [0, 0, 0],
      [H - 1, 0, 0],
      [H, 0, H],
      [2 * H - 1, 0, H],
      [2 * H, 5, 2 * H],
      [3 * H - 1, 5, 2 * H],
      [3 * H, 0, 3 * H],
      [4 * H - 1, 0, 3 * H],
    ]);
  });

  it('leaves gaps where a mean has no value', () => {
    const steps = stepBuckets([[H, 7]], H, 0, 3 * H, null);
    assert.deepEqual(steps, [
      [0, null, 0],
      [H, 7, H],
      [2 * H - 1, 7, H],
      [2 * H, null, 2 * H],
    ]);
  });

  it('draws nothing for no points', () => {
    assert.deepEqual(stepBuckets([], H, 0, 3 * H, 0), []);
  });
});

describe('UI setup block', () => {
  const info = {
    grpcEndpoint: 'http://127.0.0.1:4317',
    httpEndpoint: 'http://127.0.0.1:4318',
    tokenRequired: false,
  };
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

  it('is the README shell block for a server with the default endpoint', () => {
    const block = /```sh\n(# Claude Code telemetry -> ccmon\n[\s\S]*?)```/.exec(readme)?.[1]?.trim();
    assert.equal(shellBlock(info), block);
  });

  it('is the README settings.json block', () => {
    const block = /```json\n(\{\n {2}"env"[\s\S]*?)```/.exec(readme)?.[1]?.trim();
    assert.equal(settingsJson(info), block);
  });

  it('adds the header line when the server needs a token, never the token itself', () => {
    const block = shellBlock({ ...info, tokenRequired: true });
    assert.match(block, /\nexport OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer YOUR_TOKEN"$/);
  });
});
