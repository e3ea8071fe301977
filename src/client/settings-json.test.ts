import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editEnv, readEnv, restoreEnv } from './settings-json.js';

describe('settings.json env edits', () => {
  const original =
    '{\n    "model": "opus",\n    "env": {\n        "FOO": "1",\n        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://old:4317"\n    },\n    "permissions": { "allow": [] }\n}\n';

  it('keeps other keys, their order, the indentation and the final newline', () => {
    const out = editEnv(
      original,
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://new:4317', OTEL_LOGS_EXPORTER: 'otlp' },
      [],
    );
    assert.equal(
      out,
      '{\n    "model": "opus",\n    "env": {\n        "FOO": "1",\n        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://new:4317",\n        "OTEL_LOGS_EXPORTER": "otlp"\n    },\n    "permissions": {\n        "allow": []\n    }\n}\n',
    );
  });

  it('adds an env block to a file without one and to an empty file, and clears keys', () => {
    assert.equal(editEnv('{"a":1}', { X: '1' }, []), '{"a":1,"env":{"X":"1"}}');
    assert.equal(editEnv('', { X: '1' }, []), '{\n  "env": {\n    "X": "1"\n  }\n}\n');
    assert.equal(editEnv('{"env":{"A":"1","B":"2"}}', {}, ['A']), '{"env":{"B":"2"}}');
  });

  it('reads and restores previous values', () => {
    assert.deepEqual(readEnv(original, ['FOO', 'NOPE']), { FOO: '1' });
    const edited = editEnv(original, { FOO: '2', BAR: '3' }, []);
    assert.equal(restoreEnv(edited, { FOO: '1' }, ['FOO', 'BAR'], true), editEnv(original, {}, []));
    assert.equal(restoreEnv('{"env":{"X":"1"}}', {}, ['X'], false), '{}');
  });

  it('refuses a file that is not a JSON object, with what to do', () => {
    assert.throws(() => editEnv('{ "a": 1, // comment\n}', {}, []), /not valid JSON.*--shell/);
    assert.throws(() => editEnv('[1]', {}, []), /JSON object/);
    assert.throws(() => editEnv('{"env": "x"}', {}, []), /"env" must be an object/);
  });
});
