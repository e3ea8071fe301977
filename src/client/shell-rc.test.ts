import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEGIN, END, dropBlock, otherSettings, putBlock, readBlock, renderBlock } from './shell-rc.js';

describe('the marked shell block', () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.10.30.22:4317',
    OTEL_RESOURCE_ATTRIBUTES: "machine.name=it's",
  };

  it('quotes values for sh and fish and reads them back', () => {
    const sh = renderBlock('zsh', env);
    assert.ok(sh.startsWith(`${BEGIN}\n`) && sh.endsWith(`${END}\n`));
    assert.match(sh, /^export OTEL_RESOURCE_ATTRIBUTES='machine.name=it'\\''s'$/m);
    assert.deepEqual(readBlock(sh), env);
    const fish = renderBlock('fish', env);
    assert.match(fish, /^set -gx OTEL_RESOURCE_ATTRIBUTES 'machine.name=it\\'s'$/m);
    assert.deepEqual(readBlock(fish), env);
  });

  it('appends after a blank line, replaces in place, and drops exactly what it added', () => {
    const block = renderBlock('bash', env);
    for (const rc of ['', 'alias ll="ls -l"\n', 'no final newline', 'a\n\n']) {
      const added = putBlock(rc, block);
      // The newline put after an unterminated last line stays (setup's backup restores such a file exactly).
      assert.equal(dropBlock(added), rc.endsWith('newline') ? `${rc}\n` : rc, JSON.stringify(rc));
      assert.equal(putBlock(added, block), added);
    }
    const middle = `a\n${block}b\n`;
    const other = renderBlock('bash', { X: '1' });
    assert.equal(putBlock(middle, other), `a\n${other}b\n`);
  });

  it('finds the same variables set outside the block', () => {
    const rc = `export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317\n${renderBlock('zsh', env)}set -gx OTEL_LOGS_EXPORTER none\n`;
    assert.deepEqual(
      otherSettings(rc, ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_LOGS_EXPORTER', 'OTEL_RESOURCE_ATTRIBUTES']),
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_LOGS_EXPORTER'],
    );
  });
});
