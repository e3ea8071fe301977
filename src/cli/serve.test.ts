import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveServeConfig } from '../config/serve-config.js';
import { formatDuration } from '../config/values.js';
import { readServeSettings } from './serve.js';

const DAY_MS = 86_400_000;

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ccmon-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('serve settings from the config file', () => {
  it('reads the serve: section, below the environment and the flags', () => {
    const file = readServeSettings(
      configFile('serve:\n  otlp-grpc: 127.0.0.1:5317\n  retention: 30d\n  http: 127.0.0.1:5380\n'),
    );
    const config = resolveServeConfig({ http: '127.0.0.1:6380' }, { CCMON_RETENTION: '60d' }, file);
    assert.deepEqual(config.otlpGrpc, { host: '127.0.0.1', port: 5317 });
    assert.equal(config.retentionMs, 60 * DAY_MS);
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 6380 });
  });

  it('names an unknown setting and a bad value', () => {
    assert.throws(
      () => readServeSettings(configFile('serve:\n  otlp-grcp: 127.0.0.1:5317\n')),
      /unknown setting serve\.otlp-grcp/,
    );
    const file = readServeSettings(configFile('serve:\n  max-request-size: lots\n'));
    assert.throws(() => resolveServeConfig({}, {}, file), /--max-request-size.*16MiB/);
  });
});

describe('--retention and --prune-interval', () => {
  const resolve = (
    flags: Record<string, string>,
    env: NodeJS.ProcessEnv = {},
  ): ReturnType<typeof resolveServeConfig> => resolveServeConfig(flags, env);

  it('keep 400 days and prune every hour by default', () => {
    const config = resolve({});
    assert.equal(config.retentionMs, 400 * DAY_MS);
    assert.equal(config.pruneIntervalMs, 3_600_000);
  });

  it('take a retention with a unit, and a bare number as days (as before)', () => {
    assert.equal(resolve({ retentionMs: '400d' }).retentionMs, 400 * DAY_MS);
    assert.equal(resolve({ retentionMs: '12h' }).retentionMs, 12 * 3_600_000);
    assert.equal(resolve({ retentionMs: '30m' }).retentionMs, 30 * 60_000);
    assert.equal(resolve({ retentionMs: '1h30m' }).retentionMs, 90 * 60_000);
    assert.equal(resolve({ retentionMs: '2w' }).retentionMs, 14 * DAY_MS);
    assert.equal(resolve({ retentionMs: '180' }).retentionMs, 180 * DAY_MS);
    assert.equal(resolve({}, { CCMON_RETENTION: ' 90 ' }).retentionMs, 90 * DAY_MS);
  });

  it('reads both from the config file, the environment and the flags', () => {
    const file = readServeSettings(configFile('serve:\n  retention: 30\n  prune-interval: 10m\n'));
    const fromFile = resolveServeConfig({}, {}, file);
    assert.equal(fromFile.retentionMs, 30 * DAY_MS);
    assert.equal(fromFile.pruneIntervalMs, 600_000);
    const fromEnv = resolveServeConfig({}, { CCMON_PRUNE_INTERVAL: '1m', CCMON_RETENTION: '10m' }, file);
    assert.equal(fromEnv.retentionMs, 600_000);
    assert.equal(fromEnv.pruneIntervalMs, 60_000);
    assert.equal(resolveServeConfig({ pruneIntervalMs: '30s' }, {}, file).pruneIntervalMs, 30_000);
  });

  it('expire /metrics series after a day without points by default, up to 24 days', () => {
    assert.equal(resolve({}).metricExpirationMs, DAY_MS);
    assert.equal(resolve({}, { CCMON_METRIC_EXPIRATION: '7d' }).metricExpirationMs, 7 * DAY_MS);
    assert.equal(resolve({ metricExpirationMs: '90m' }).metricExpirationMs, 90 * 60_000);
    for (const bad of ['never', '25d', '0s']) {
      assert.throws(
        () => resolve({ metricExpirationMs: bad }),
        /--metric-expiration \/ CCMON_METRIC_EXPIRATION/,
        bad,
      );
    }
  });

  it('refuse what they cannot use, naming the setting', () => {
    for (const bad of ['', 'forever', '12x', '-5d', '1.5', '30s', '0m']) {
      assert.throws(() => resolve({ retentionMs: bad }), /--retention \/ CCMON_RETENTION/, bad);
    }
    // A bare number is no interval: its unit would be a guess.
    for (const bad of ['60', '500ms', '0s', '25d', 'hourly']) {
      assert.throws(() => resolve({ pruneIntervalMs: bad }), /--prune-interval \/ CCMON_PRUNE_INTERVAL/, bad);
    }
  });

  it('are written back in the units they were given, for the server log', () => {
    assert.equal(formatDuration(resolve({}).retentionMs), '400d');
    assert.equal(formatDuration(resolve({ retentionMs: '12h' }).retentionMs), '12h');
    assert.equal(formatDuration(resolve({ retentionMs: '90m' }).retentionMs), '1h30m');
    assert.equal(formatDuration(1500), '1s500ms');
  });
});

describe('--max-memory', () => {
  it('is off by default and takes a size from the flag or CCMON_MAX_MEMORY', () => {
    assert.equal(resolveServeConfig({}, {}).maxMemoryBytes, undefined);
    assert.equal(resolveServeConfig({ maxMemoryBytes: '250MiB' }, {}).maxMemoryBytes, 250 * 1048576);
    assert.equal(resolveServeConfig({}, { CCMON_MAX_MEMORY: '1GiB' }).maxMemoryBytes, 1073741824);
    assert.throws(() => resolveServeConfig({ maxMemoryBytes: 'lots' }, {}), /--max-memory .*expected a size/);
  });
});

describe('--max-busy', () => {
  it('is off (1) by default and takes a share or a percentage', () => {
    assert.equal(resolveServeConfig({}, {}).maxBusy, 1);
    assert.equal(resolveServeConfig({ maxBusy: '95%' }, {}).maxBusy, 0.95);
    assert.equal(resolveServeConfig({}, { CCMON_MAX_BUSY: '1' }).maxBusy, 1);
  });

  it('refuses a share outside (0, 1]', () => {
    for (const bad of ['0', '1.5', '120%', 'most'])
      assert.throws(() => resolveServeConfig({ maxBusy: bad }, {}), /--max-busy.*at most 1, such as 0\.9/);
  });
});
