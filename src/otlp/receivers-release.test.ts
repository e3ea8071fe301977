import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { collectGarbage, heldIngest } from '../../test/support/held-commits.js';
import { claudeLogsRequest, encodeLogsProto } from '../../test/support/otlp-encode.js';
import { bindGrpc, createOtlpGrpcServer } from './grpc-receiver.js';
import { createOtlpHttpServer } from './http-receiver.js';
import { InflightBudget } from './inflight.js';
import type { ReceiverOptions } from './ingest.js';

/**
 * Both receivers, in front of an Ingest whose commits the test holds back and which keeps a weak
 * reference to every body it is given: while a request waits for its commit, nothing in the
 * receiver may keep its body.
 */
describe('OTLP receivers, while a request waits for its commit', () => {
  const bodies: WeakRef<Uint8Array>[] = [];
  const { ingest, written, commitNext } = heldIngest();
  const decode = ingest.export.bind(ingest);
  ingest.export = (protocol, signal, format, body) => {
    bodies.push(new WeakRef(body));
    return decode(protocol, signal, format, body);
  };
  const options: ReceiverOptions = {
    ingest,
    budget: new InflightBudget(64 * 1024 * 1024),
    maxRequestBytes: 16 * 1024 * 1024,
    retryAfterMs: 1000,
    authorized: () => true,
  };
  const http = createOtlpHttpServer(options);
  const grpc = createOtlpGrpcServer(options);
  let httpPort = 0;
  let grpcPort = 0;

  before(async () => {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpPort = (http.address() as AddressInfo).port;
    grpcPort = await bindGrpc(grpc, '127.0.0.1', 0);
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    grpc.forceShutdown();
  });

  /** Waits until the request's records are with the writer, then checks its body was collected. */
  async function checkReleased(answered: Promise<number>): Promise<void> {
    while (written.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await collectGarbage();
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0]?.deref(), undefined, 'the body was collected before the commit');
    assert.ok(commitNext());
    bodies.length = 0;
    written.length = 0;
    assert.equal(await answered, 0, 'the request was answered OK once committed');
  }

  it('HTTP lets go of the body', async () => {
    const body = encodeLogsProto(claudeLogsRequest({ count: 50 }));
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: httpPort,
          method: 'POST',
          path: '/v1/logs',
          headers: { 'content-type': 'application/x-protobuf' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? 0 : (res.statusCode ?? -1)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    await checkReleased(answered);
  });

  it('gRPC lets go of the body', async () => {
    const client = new Client(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const body = Buffer.from(encodeLogsProto(claudeLogsRequest({ count: 50 })));
    const answered = new Promise<number>((resolve) => {
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        new Metadata(),
        (error) => resolve(error === null ? 0 : error.code),
      );
    });
    try {
      await checkReleased(answered);
    } finally {
      client.close();
    }
  });
});
