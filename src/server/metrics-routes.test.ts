import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../test/support/server.js';

const TOKEN = 'metrics-token-1234';

describe('GET /metrics on the API listener', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ token: TOKEN });
  });
  after(() => server.stop());

  it('asks for the bearer token like the API', async () => {
    const response = await fetch(`${server.apiUrl}/metrics`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    const wrong = await fetch(`${server.apiUrl}/metrics`, {
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    assert.equal(wrong.status, 401);
  });

  it('answers Prometheus text format 0.0.4 with the token', async () => {
    const response = await fetch(`${server.apiUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    assert.match(text, /^# TYPE ccmon_build_info gauge$/m);
    assert.match(text, /^ccmon_receiver_inflight_limit_bytes \d+$/m);
  });
});
