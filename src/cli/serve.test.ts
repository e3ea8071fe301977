import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveServeConfig } from '../config/serve-config.js';
import { readServeSettings } from './serve.js';

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
    assert.equal(config.retentionDays, 60);
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
