import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { sendCheck } from './check.js';
import type { ClientSettings, Protocol } from './env.js';

const point = { machineName: 'check-host', timeMs: Date.now(), version: 'test' };

describe('client check against a ccmon that wants a token', () => {
  let ccmon: TestServer;
  before(async () => {
    ccmon = await startTestServer({ token: 'check-token-123' });
  });
  after(async () => ccmon.stop());

  const settings = (protocol: Protocol, endpoint: string, token?: string): ClientSettings => ({
    endpoint,
    protocol,
    machineName: 'check-host',
    token,
  });
  const grpc = () => `http://${ccmon.grpcTarget}`;

  it('is accepted over every protocol with the token', async () => {
    for (const [protocol, endpoint] of [
      ['grpc', grpc()],
      ['http/protobuf', ccmon.otlpHttpUrl],
      ['http/json', ccmon.otlpHttpUrl],
    ] as const) {
      const result = await sendCheck(settings(protocol, endpoint, 'check-token-123'), point);
      assert.equal(result.accepted, true, `${protocol}: ${result.detail} ${result.hint ?? ''}`);
    }
  });

  it('says a token is wanted, over gRPC and HTTP', async () => {
    const g = await sendCheck(settings('grpc', grpc()), point);
    assert.equal(g.accepted, false);
    assert.match(g.detail, /UNAUTHENTICATED/);
    assert.match(g.hint ?? '', /--token/);
    const h = await sendCheck(settings('http/protobuf', ccmon.otlpHttpUrl), point);
    assert.match(h.detail, /answered 401/);
    assert.match(h.hint ?? '', /--token/);
  });

  it('points at the port when the protocol does not match it, or the path is wrong', async () => {
    const httpAtGrpc = await sendCheck(settings('http/protobuf', grpc(), 'check-token-123'), point, 3000);
    assert.equal(httpAtGrpc.accepted, false);
    assert.match(httpAtGrpc.hint ?? '', /use --protocol grpc or port 4318/);
    const grpcAtHttp = await sendCheck(settings('grpc', ccmon.otlpHttpUrl, 'check-token-123'), point, 3000);
    assert.equal(grpcAtHttp.accepted, false);
    assert.match(grpcAtHttp.hint ?? '', /does not speak gRPC/);
    const wrongPath = await sendCheck(
      settings('http/json', `${ccmon.otlpHttpUrl}/otlp`, 'check-token-123'),
      point,
    );
    assert.match(wrongPath.hint ?? '', /no OTLP metrics endpoint/);
  });
});
