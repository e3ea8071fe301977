/**
 * kill -9 during ingest: the built server is killed at random moments and restarted on the same data
 * dir while a canary client keeps sending numbered events with retries. Afterwards every acknowledged
 * event must be stored, and none twice (a retried request whose answer was lost is deduplicated).
 * Needs `npm run build` (spawnServer runs dist/).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readBackRun, sendCanaryRun } from '../src/canary/client.js';
import { countCanary } from '../src/canary/count.js';
import { spawnServer, tempDir, type ChildServer } from './support/server.js';

const KILLS = 10;
const EVENTS = 1200;
const RATE = 60;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash safety', () => {
  const dataDir = tempDir('ccmon-crash-');
  /** the server now serving; replaced after every restart, so senders always ask for it anew */
  let current: Promise<ChildServer> = spawnServer(dataDir);

  after(async () => {
    const server = await current.catch(() => undefined);
    if (server !== undefined && server.process.exitCode === null) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });

  it(
    `keeps every acknowledged event exactly once across ${KILLS} kill -9 restarts`,
    { timeout: 90_000 },
    async () => {
      const runId = `crash-${Date.now()}`;
      const sending = sendCanaryRun({
        runId,
        count: EVENTS,
        rate: RATE,
        endpoint: async () => (await current).otlpHttpUrl,
        attemptTimeoutMs: 3_000,
        baseBackoffMs: 50,
        maxBackoffMs: 1_000,
      });
      const aliveMs: number[] = [];
      const restartMs: number[] = [];
      for (let i = 0; i < KILLS; i++) {
        const server = await current;
        const wait = 150 + Math.floor(Math.random() * 700);
        aliveMs.push(wait);
        await sleep(wait);
        let restarted!: (server: Promise<ChildServer>) => void;
        // Senders asking during the restart wait for the new server instead of hitting the dead one.
        current = new Promise<Promise<ChildServer>>((resolve) => (restarted = resolve)).then((p) => p);
        server.process.kill('SIGKILL');
        assert.equal(await server.exited, 'SIGKILL');
        const restartAt = Date.now();
        const next = spawnServer(dataDir);
        restarted(next);
        void next.then(() => restartMs.push(Date.now() - restartAt));
      }
      const sent = await sending;
      const server = await current;
      const report = countCanary(sent, await readBackRun(server.apiUrl, runId));
      const retried = sent.filter((e) => (e.attempts ?? 1) > 1).length;
      console.log(
        `crash: ${KILLS} kill -9 after ${aliveMs.join('/')} ms up, restarts took ${restartMs.join('/')} ms; sent ${report.sent} (${retried} retried), acknowledged ${report.acknowledged}, ` +
          `stored ${report.stored}, missing ${report.missing.length}, duplicated ${report.duplicated.length}, ` +
          `out of order ${report.outOfOrder}, stored without acknowledgement ${report.unacknowledgedStored}`,
      );
      assert.deepEqual(report.missing, [], 'acknowledged but not stored');
      assert.deepEqual(report.duplicated, [], 'stored twice');
      assert.equal(report.unknown, 0);
      assert.ok(report.acknowledged > EVENTS * 0.9, `only ${report.acknowledged} of ${EVENTS} acknowledged`);
    },
  );
});
