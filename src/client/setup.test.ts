import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClientSettings } from './env.js';
import {
  backupPath,
  configuredEnv,
  defaultTarget,
  executePlan,
  planRemove,
  planSetup,
  type Target,
} from './setup.js';

const SETTINGS: ClientSettings = {
  endpoint: 'http://10.10.30.22:4317',
  protocol: 'grpc',
  machineName: 'laptop',
};

function home(): string {
  return mkdtempSync(join(tmpdir(), 'ccmon-client-'));
}

function setup(target: Target, settings = SETTINGS): void {
  executePlan(planSetup(target, settings));
}

function remove(target: Target): void {
  executePlan(planRemove(target));
}

describe('client setup and remove on files', () => {
  it('restores settings.json byte for byte, backs it up, and is idempotent', () => {
    const t = defaultTarget('settings', home(), {});
    mkdirSync(join(t.path, '..'), { recursive: true });
    // Odd formatting on purpose: remove must give these exact bytes back.
    const original =
      '{ "model":"opus",\n\t"env": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://x:4318/v1/metrics"}}';
    writeFileSync(t.path, original);
    setup(t);
    const once = readFileSync(t.path, 'utf8');
    const env = JSON.parse(once).env as Record<string, string>;
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://10.10.30.22:4317');
    assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, 'machine.name=laptop');
    assert.equal(
      env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
      undefined,
      'a per-signal endpoint would win over ours',
    );
    assert.equal(JSON.parse(once).model, 'opus');
    assert.equal(JSON.parse(readFileSync(backupPath(t), 'utf8')).content, original);
    const again = planSetup(t, SETTINGS);
    assert.equal(again.after, again.before, 'a second setup changes nothing');
    assert.equal(again.backup, undefined);
    assert.deepEqual(configuredEnv(t).OTEL_EXPORTER_OTLP_PROTOCOL, 'grpc');
    remove(t);
    assert.equal(readFileSync(t.path, 'utf8'), original);
    assert.equal(existsSync(backupPath(t)), false);
  });

  it('keeps the first backup when setup runs again with other settings', () => {
    const t = defaultTarget('settings', home(), {});
    setup(t);
    setup(t, {
      ...SETTINGS,
      endpoint: 'http://127.0.0.1:4318',
      protocol: 'http/protobuf',
      token: 'secret-token',
    });
    assert.equal(
      JSON.parse(readFileSync(t.path, 'utf8')).env.OTEL_EXPORTER_OTLP_HEADERS,
      'Authorization=Bearer secret-token',
    );
    assert.equal(JSON.parse(readFileSync(backupPath(t), 'utf8')).existed, false);
    remove(t);
    assert.equal(existsSync(t.path), false, 'setup created the file, so remove deletes it');
  });

  it('undoes only its own keys when the user changed the file since', () => {
    const t = defaultTarget('settings', home(), {});
    mkdirSync(join(t.path, '..'), { recursive: true });
    writeFileSync(
      t.path,
      JSON.stringify({ env: { OTEL_LOGS_EXPORTER: 'console', KEEP: 'x' } }, null, 2) + '\n',
    );
    setup(t);
    const edited = JSON.parse(readFileSync(t.path, 'utf8'));
    edited.theme = 'dark';
    writeFileSync(t.path, JSON.stringify(edited, null, 2) + '\n');
    const plan = planRemove(t);
    assert.match(plan.notes.join('\n'), /changed since setup/);
    executePlan(plan);
    assert.deepEqual(JSON.parse(readFileSync(t.path, 'utf8')), {
      env: { OTEL_LOGS_EXPORTER: 'console', KEEP: 'x' },
      theme: 'dark',
    });
  });

  it('adds and removes the marked block in a shell rc file', () => {
    const h = home();
    const t = defaultTarget('zsh', h, {});
    const original = '# my zshrc\nexport PATH="$HOME/bin:$PATH"';
    writeFileSync(t.path, original);
    setup(t);
    const text = readFileSync(t.path, 'utf8');
    assert.match(text, /^# >>> ccmon >>>$/m);
    assert.match(text, /^export OTEL_EXPORTER_OTLP_ENDPOINT='http:\/\/10\.10\.30\.22:4317'$/m);
    assert.equal(planSetup(t, SETTINGS).after, text);
    remove(t);
    assert.equal(readFileSync(t.path, 'utf8'), original);
    const fish = defaultTarget('fish', h, { XDG_CONFIG_HOME: join(h, 'cfg') });
    assert.equal(fish.path, join(h, 'cfg', 'fish', 'config.fish'));
    setup(fish);
    assert.match(readFileSync(fish.path, 'utf8'), /^set -gx OTEL_EXPORTER_OTLP_PROTOCOL 'grpc'$/m);
    remove(fish);
    assert.equal(existsSync(fish.path), false);
  });

  it('says when there is nothing to remove', () => {
    const t = defaultTarget('settings', home(), {});
    assert.match(planRemove(t).notes.join(''), /nothing to remove/);
    assert.equal(
      defaultTarget('settings', '/h', { CLAUDE_CONFIG_DIR: '/c' }).path,
      join('/c', 'settings.json'),
    );
  });
});
