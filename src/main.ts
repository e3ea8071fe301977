import { rmSync, writeFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { ServeConfig } from './config/serve-config.js';
import { formatDuration, formatHostPort, type HostPort } from './config/values.js';
import { bearerChecker } from './otlp/auth.js';
import { bindGrpc, createOtlpGrpcServer } from './otlp/grpc-receiver.js';
import { createOtlpHttpServer } from './otlp/http-receiver.js';
import { LoopPressure } from './otlp/loop-pressure.js';
import { MemoryPressure } from './otlp/memory-pressure.js';
import { InflightBudget } from './otlp/inflight.js';
import { Ingest, type Pressure } from './otlp/ingest.js';
import { IngestStats } from './otlp/stats.js';
import { CommitStats } from './exporters/ccmon-health.js';
import { prometheusExposition } from './exporters/prometheus-exposition.js';
import { defaultAlertsConfig } from './alerts/config.js';
import { AlertEvaluator } from './alerts/evaluator.js';
import { alertRoutes } from './server/alert-routes.js';
import { createApiServer } from './server/api.js';
import { metricsRoutes } from './server/metrics-routes.js';
import { dashboardRoutes } from './server/dashboard-routes.js';
import { reportRoutes } from './server/report-routes.js';
import { json, type Route } from './server/routes.js';
import { setupRoutes } from './server/setup-routes.js';
import { isStaticPath, staticRoutes } from './server/static-routes.js';
import { createHealthServer, type Phase } from './server/health.js';
import { Database } from './store/database.js';
import { pruneOlderThan } from './store/retention.js';
import { BatchWriter } from './store/writer.js';
import { VERSION } from './version.js';

/** Written into the data dir while serving, so `ccmon report` finds the running server by itself. */
export const SERVER_FILE = 'server.json';

export interface Listening {
  readonly otlpGrpc: HostPort;
  readonly otlpHttp: HostPort;
  readonly http: HostPort;
  readonly health: HostPort;
}

export interface RunningServer {
  readonly listening: Listening;
  readonly db: Database;
  readonly stats: IngestStats;
  stop(): Promise<void>;
}

const RETRY_AFTER_MS = 2_000;
/**
 * The event-loop lag above which exports are refused before decoding. Well above what a commit
 * group's synchronous append takes (about 130 ms for 10,000 rows), well under exporters' timeouts.
 */
const LOOP_LAG_LIMIT_MS = 500;
/** The window --max-busy is measured over. */
const BUSY_WINDOW_MS = 1_000;

/** Starts `ccmon serve`: store, writer, receivers, API and health, in that order; stops in reverse. */
export async function startServer(
  config: ServeConfig,
  log: (line: string) => void = () => undefined,
): Promise<RunningServer> {
  let phase: Phase = 'starting';
  const startedAt = new Date();
  const db = await Database.open(config.dataDir, { memoryLimitBytes: config.storeMemoryBytes });
  const servers: HttpServer[] = [];
  let grpc: GrpcServer | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let loopPressure: LoopPressure | undefined;
  let alerts: AlertEvaluator | undefined;
  try {
    const health = createHealthServer(() => ({ phase, startedAt, version: VERSION }));
    servers.push(health);
    const healthAt = await listen(health, config.health, '--health');

    const stats = new IngestStats();
    const commits = new CommitStats();
    const writer = await BatchWriter.create(db, {
      // Records wait for their commit as rows in DuckDB's appenders (native memory), not in the heap.
      // A group as large as the queue: a write that did not fit the open group would wait decoded, in
      // the heap. Queues of 5,000 instead of 10,000 saved no memory and lost a fifth of the closed-loop
      // throughput; 20,000 instead of 10,000 took the HTTP protobuf events step at 23,438/s from 8.6%
      // refused to 0.6% (docs/benchmarks.md).
      maxQueuedRecords: 20_000,
      maxBatchRecords: 20_000,
      // Under the one-second p99 that the benchmarks call healthy, with a commit's time on top.
      maxQueueDelayMs: 1_000,
      // As the Collector's batch processor waits 200 ms by default: a DuckDB transaction costs some
      // 3.5 ms of CPU whatever its size, which committing every few milliseconds under load spent again
      // and again (the events knees per server core went from 11,100-11,700/s to 14,000-16,100/s).
      minCommitIntervalMs: 200,
      onCommit: (records, ms) => commits.observe(records, ms),
    });
    const budget = new InflightBudget(config.maxInflightBytes);
    loopPressure = new LoopPressure({
      maxLagMs: LOOP_LAG_LIMIT_MS,
      maxUtilization: config.maxBusy,
      windowMs: BUSY_WINDOW_MS,
    });
    const pressures: Pressure[] = [loopPressure];
    if (config.maxMemoryBytes !== undefined)
      pressures.push(new MemoryPressure(config.maxMemoryBytes, () => writer.queuedRecords > 0));
    const ingest = new Ingest(writer, stats, {
      dropContent: config.dropContent,
      retryAfterMs: RETRY_AFTER_MS,
      pressures,
    });
    const authorized = bearerChecker(config.token);
    const receiver = {
      ingest,
      budget,
      maxRequestBytes: config.maxRequestBytes,
      retryAfterMs: RETRY_AFTER_MS,
      authorized,
    };

    grpc = createOtlpGrpcServer(receiver);
    const grpcPort = await bindGrpc(grpc, config.otlpGrpc.host, config.otlpGrpc.port).catch(
      (error: unknown) => {
        throw listenError(error, config.otlpGrpc, '--otlp-grpc');
      },
    );
    const otlpHttp = createOtlpHttpServer(receiver);
    servers.push(otlpHttp);
    const otlpHttpAt = await listen(otlpHttp, config.otlpHttp, '--otlp-http');
    const status = (): Record<string, unknown> => ({
      version: VERSION,
      phase,
      upSince: startedAt.toISOString(),
      accepted: stats.total('accepted'),
      rejected: stats.total('rejected'),
      queuedRecords: writer.queuedRecords,
      inflightBytes: budget.bytes,
      lastCommitMs: commits.lastMs,
    });
    alerts = await AlertEvaluator.open({ db, config: config.alerts ?? defaultAlertsConfig(), log });
    const routes: Route[] = [
      ...alertRoutes(alerts),
      { method: 'GET', path: '/api/v1/status', handle: async () => json(status()) },
      ...reportRoutes(db),
      ...dashboardRoutes(db),
      ...metricsRoutes(
        prometheusExposition(
          db,
          {
            version: VERSION,
            startedAtMs: startedAt.getTime(),
            stats,
            commits,
            queuedRecords: () => writer.queuedRecords,
            inflightBytes: () => budget.bytes,
            inflightLimitBytes: config.maxInflightBytes,
            storeDiskBytes: () => db.diskBytes(),
            storeMemoryBytes: () => db.memoryBytes(),
            storeMemoryLimitBytes: config.storeMemoryBytes,
          },
          { expireAfterMs: config.metricExpirationMs },
        ),
      ),
      ...setupRoutes({
        otlpGrpc: { host: config.otlpGrpc.host, port: grpcPort },
        otlpHttp: otlpHttpAt,
        tokenRequired: config.token !== undefined,
      }),
      // The web UI last: its files are public, the API routes above are not.
      ...staticRoutes(),
    ];
    const api = createApiServer({ routes, authorized, isPublic: isStaticPath });
    servers.push(api);
    const apiAt = await listen(api, config.http, '--http');

    const listening: Listening = {
      otlpGrpc: { host: config.otlpGrpc.host, port: grpcPort },
      otlpHttp: otlpHttpAt,
      http: apiAt,
      health: healthAt,
    };
    writeFileSync(
      join(config.dataDir, SERVER_FILE),
      JSON.stringify({
        pid: process.pid,
        url: `http://${connectable(apiAt)}`,
        startedAt: startedAt.toISOString(),
      }),
    );
    const prune = (): void => {
      pruneOlderThan(db, config.retentionMs)
        .then(async (n) => {
          if (n === 0) return;
          log(`retention: removed ${n} rows older than ${formatDuration(config.retentionMs)}`);
          // Deleted rows free their space only in a checkpoint that may merge row groups.
          await db.compact();
        })
        .catch((error: unknown) => log(`retention: ${String(error)}`));
    };
    prune();
    pruneTimer = setInterval(prune, config.pruneIntervalMs).unref();
    alerts.start(`http://${connectable(apiAt)}`);
    loopPressure.reset();
    phase = 'serving';

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        phase = 'stopping';
        clearInterval(pruneTimer);
        loopPressure?.stop();
        // Stop taking requests, let those in flight finish (they wait for their commit), then drain.
        await Promise.all([
          ...[otlpHttp, api].map(closeServer),
          new Promise<void>((resolve) => grpc?.tryShutdown(() => resolve())),
        ]);
        await alerts?.stop();
        await writer.close();
        await db.close();
        rmSync(join(config.dataDir, SERVER_FILE), { force: true });
        await closeServer(health);
      })();
      return stopping;
    };
    return { listening, db, stats, stop };
  } catch (error) {
    clearInterval(pruneTimer);
    loopPressure?.stop();
    await alerts?.stop();
    grpc?.forceShutdown();
    await Promise.all(servers.map(closeServer));
    await db.close();
    throw error;
  }
}

/** Where a client on this machine reaches a listener bound to a wildcard address. */
export function connectable(at: HostPort): string {
  const host = at.host === '0.0.0.0' ? '127.0.0.1' : at.host === '::' ? '::1' : at.host;
  return formatHostPort({ host, port: at.port });
}

function listen(server: HttpServer, at: HostPort, setting: string): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, at, setting)));
    server.listen(at.port, at.host, () => {
      const address = server.address() as AddressInfo;
      resolve({ host: at.host, port: address.port });
    });
  });
}

function listenError(error: unknown, at: HostPort, setting: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/EADDRINUSE|address already in use|No address added/i.test(message)) {
    return new Error(
      `${formatHostPort(at)} is already in use (${setting}): stop what listens there, or choose another address with ${setting}`,
    );
  }
  return new Error(`cannot listen on ${formatHostPort(at)} (${setting}): ${message}`);
}

function closeServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
