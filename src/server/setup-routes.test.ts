import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientHost, setupInfo } from './setup-routes.js';

describe('setup info for the empty state', () => {
  it('names the bound address when the receivers listen on one', () => {
    const info = setupInfo(
      {
        otlpGrpc: { host: '127.0.0.1', port: 4317 },
        otlpHttp: { host: '127.0.0.1', port: 4318 },
        tokenRequired: false,
      },
      'example.org:4380',
    );
    assert.deepEqual(info, {
      grpcEndpoint: 'http://127.0.0.1:4317',
      httpEndpoint: 'http://127.0.0.1:4318',
      tokenRequired: false,
    });
  });

  it('names the host the browser used when the receivers listen on every address', () => {
    const info = setupInfo(
      {
        otlpGrpc: { host: '0.0.0.0', port: 4317 },
        otlpHttp: { host: '::', port: 4318 },
        tokenRequired: true,
      },
      'ccmon.lan:4380',
    );
    assert.equal(info.grpcEndpoint, 'http://ccmon.lan:4317');
    assert.equal(info.httpEndpoint, 'http://ccmon.lan:4318');
    assert.equal(info.tokenRequired, true);
  });

  it('handles IPv6 Host headers and missing or odd ones', () => {
    assert.equal(clientHost('0.0.0.0', '[fe80::1]:4380'), 'fe80::1');
    assert.equal(clientHost('0.0.0.0', undefined), '127.0.0.1');
    assert.equal(clientHost('::', undefined), '::1');
    assert.equal(clientHost('0.0.0.0', 'bad host/<x>'), '127.0.0.1');
    const info = setupInfo(
      { otlpGrpc: { host: '::', port: 1 }, otlpHttp: { host: '::1', port: 2 }, tokenRequired: false },
      '[fe80::1]:4380',
    );
    assert.equal(info.grpcEndpoint, 'http://[fe80::1]:1');
    assert.equal(info.httpEndpoint, 'http://[::1]:2');
  });
});
