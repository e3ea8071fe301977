import { getHeapStatistics } from 'node:v8';
import type { IngestStats } from '../otlp/stats.js';
import type { MetricFamily, Sample } from './prometheus-text.js';

/** ccmon's own health figures under `ccmon_`, next to the clients' metrics on `/metrics`. */

// Commit durations seen on a laptop range from about a millisecond to seconds under overload.
const COMMIT_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The writer's commits: how many, how long, how many records. Fed from the writer's onCommit. */
export class CommitStats {
  private readonly bucketCounts = COMMIT_BUCKETS_S.map(() => 0);
  private count = 0;
  private sumSeconds = 0;
  private records = 0;
  /** the latest commit's duration, for /api/v1/status */
  lastMs = 0;

  observe(records: number, durationMs: number): void {
    this.lastMs = durationMs;
    const seconds = durationMs / 1000;
    this.count++;
    this.sumSeconds += seconds;
    this.records += records;
    COMMIT_BUCKETS_S.forEach((le, i) => {
      if (seconds <= le) this.bucketCounts[i] = (this.bucketCounts[i] ?? 0) + 1;
    });
  }

  families(): MetricFamily[] {
    const buckets: Sample[] = COMMIT_BUCKETS_S.map((le, i) => ({
      labels: { le: String(le) },
      value: this.bucketCounts[i] ?? 0,
      suffix: '_bucket',
    }));
    return [
      {
        name: 'ccmon_store_commit_duration_seconds',
        help: 'Duration of the store transactions that commit received records (group commit).',
        type: 'histogram',
        samples: [
          ...buckets,
          { labels: { le: '+Inf' }, value: this.count, suffix: '_bucket' },
          { labels: {}, value: this.sumSeconds, suffix: '_sum' },
          { labels: {}, value: this.count, suffix: '_count' },
        ],
      },
      counter('ccmon_store_committed_records_total', 'Points and events committed to the store.', [
        { labels: {}, value: this.records },
      ]),
    ];
  }
}

export interface HealthSources {
  readonly version: string;
  readonly startedAtMs: number;
  readonly stats: IngestStats;
  readonly commits: CommitStats;
  readonly queuedRecords: () => number;
  readonly inflightBytes: () => number;
  readonly inflightLimitBytes: number;
  /** bytes of the store on disk */
  readonly storeDiskBytes: () => number;
  /** memory DuckDB's buffer manager holds now */
  readonly storeMemoryBytes: () => Promise<number>;
  /** --store-memory */
  readonly storeMemoryLimitBytes: number;
}

function counter(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: 'counter', samples };
}

function gauge(name: string, help: string, value: number, labels: Record<string, string> = {}): MetricFamily {
  return { name, help, type: 'gauge', samples: [{ labels, value }] };
}

/** What the receivers took and refused, by protocol, signal and reason. */
function receiverFamilies(stats: IngestStats): MetricFamily[] {
  const rows = stats.rows().sort((a, b) => {
    const ka = `${a.protocol}|${a.signal}|${a.reason}`;
    const kb = `${b.protocol}|${b.signal}|${b.reason}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const pick = (keep: (r: (typeof rows)[number]) => boolean, withReason: boolean): Sample[] =>
    rows.filter(keep).map((r) => {
      const labels: Record<string, string> = { protocol: r.protocol, signal: r.signal };
      if (withReason) labels.reason = r.reason;
      return { labels, value: r.value };
    });
  return [
    counter(
      'ccmon_receiver_accepted_records_total',
      'Metric points (signal=metrics) and events (signal=logs) stored from accepted requests.',
      pick((r) => r.outcome === 'accepted', false),
    ),
    counter(
      'ccmon_receiver_refused_records_total',
      'Points and events refused inside accepted requests (OTLP partial success).',
      pick((r) => r.outcome === 'rejected' && r.reason === 'partial', false),
    ),
    counter(
      'ccmon_receiver_refused_requests_total',
      'Requests refused whole, by reason (invalid, too_large, overloaded, unauthenticated, ...).',
      pick((r) => r.outcome === 'rejected' && r.reason !== 'partial', true),
    ),
    counter(
      'ccmon_receiver_discarded_records_total',
      'Records accepted and dropped on purpose (trace spans).',
      pick((r) => r.outcome === 'discarded', false),
    ),
  ];
}

export async function healthFamilies(src: HealthSources): Promise<MetricFamily[]> {
  return [
    gauge('ccmon_build_info', 'ccmon version; the value is always 1.', 1, { version: src.version }),
    gauge(
      'ccmon_start_time_seconds',
      'When this ccmon started, in seconds since the Unix epoch.',
      src.startedAtMs / 1000,
    ),
    ...receiverFamilies(src.stats),
    ...src.commits.families(),
    gauge('ccmon_store_queued_records', 'Records waiting for the next store commit.', src.queuedRecords()),
    gauge('ccmon_receiver_inflight_bytes', 'Bytes held by requests in flight.', src.inflightBytes()),
    gauge(
      'ccmon_receiver_inflight_limit_bytes',
      'Bytes requests in flight may hold (--max-inflight).',
      src.inflightLimitBytes,
    ),
    gauge(
      'ccmon_store_size_bytes',
      'Size of the store on disk: the DuckDB file and its write-ahead log.',
      src.storeDiskBytes(),
    ),
    gauge(
      'ccmon_store_memory_bytes',
      "Memory DuckDB's buffer manager holds: cached blocks, data not yet checkpointed, query state.",
      await src.storeMemoryBytes(),
    ),
    gauge(
      'ccmon_store_memory_limit_bytes',
      'Memory DuckDB may hold while queries run (--store-memory); larger ones spill to disk. Ingest alone keeps to 48 MiB of it.',
      src.storeMemoryLimitBytes,
    ),
    ...processFamilies(),
  ];
}

/**
 * The process's own figures, named as the Prometheus client libraries name them, so that the usual
 * dashboards and alerts on them work for ccmon too.
 */
function processFamilies(): MetricFamily[] {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return [
    counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.', [
      { labels: {}, value: (cpu.user + cpu.system) / 1e6 },
    ]),
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss),
    gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', memory.heapTotal),
    gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', memory.heapUsed),
    gauge(
      'nodejs_heap_size_limit_bytes',
      "V8's heap size limit in bytes (bin/ccmon.js sets it; see its first line).",
      getHeapStatistics().heap_size_limit,
    ),
    gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', memory.external),
  ];
}
