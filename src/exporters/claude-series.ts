import { listParam, type ReadDb, type Row } from '../store/database.js';
import { CLAUDE_CODE_METRICS, prometheusMetricName } from '../telemetry/prometheus-names.js';
import type { FamilyType, MetricFamily } from './prometheus-text.js';
import { formatLabels, formatValue } from './prometheus-text.js';
import { parseAttributes, seriesLabels } from './series-labels.js';

/**
 * The clients' metrics as Prometheus series, cumulative: a counter's value is the sum of every delta
 * stored for it, so it equals what the client counted, also after a restart (it is rebuilt from the
 * store).
 *
 * How it stays cheap: the running totals live in memory and each refresh reads only the rows stored
 * since the last one. "Since" is DuckDB's `rowid`: the writer commits its transactions one after
 * another (the next may append while one commits, but never commits first) and DuckDB numbers a
 * transaction's rows when it commits (writer.test.ts checks), so the committed rows always form a
 * prefix in rowid order and `rowid > last seen` is exactly what is new, whatever the rows' own times
 * (a client with a wrong clock, a late retry). DuckDB may renumber rowids when a checkpoint compacts
 * a table after deletes (retention); every refresh therefore first checks, in the same transaction,
 * that the last row seen still has its key at its rowid. If not, it recomputes every total from the
 * store and keeps, per series, the larger of the old and new value, so a series never goes down
 * (deleted old rows would otherwise look like a counter reset to Prometheus). Series are never
 * dropped: a series that disappeared from the store keeps its last value until ccmon restarts.
 */

export interface ReadSource {
  withRead<T>(fn: (db: ReadDb) => Promise<T>): Promise<T>;
}

interface SeriesValue {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
  /** end of the newest point (µs): gauges keep the newest value */
  lastEndUs: number;
  /** when the series last got a point (ms): it expires `expireAfterMs` later */
  seenMs: number;
  /** the exposition line, kept until the value changes (formatting every series on every scrape is slow) */
  line?: string | undefined;
}

interface Family {
  readonly help: string;
  readonly type: FamilyType;
  readonly series: Map<string, SeriesValue>;
  /** label texts in order, kept until a series is added (sorting on every scrape was most of its cost) */
  order?: string[];
}

/** Where a stored series lands: its family and label set (cached: parsing attributes is the slow part). */
interface Placement {
  readonly family: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly labelKey: string;
}

export interface ClaudeSeriesOptions {
  /** how long a series without new points stays exposed (and in memory) */
  readonly expireAfterMs: number;
  /** the clock, in ms (tests move it) */
  readonly now?: () => number;
}

export interface RefreshInfo {
  readonly durationMs: number;
  readonly groups: number;
  readonly rebuilt: boolean;
}

// One row per stored series among the rows chosen. The series key fixes the metric, scope and
// attributes, so any_value() of them is the value.
const seriesTotals = (where: string) => `
SELECT series_key::VARCHAR AS series, metric, unit, kind, monotonic, scope_name,
  any_value(attributes)::VARCHAR AS attributes, any_value(resource)::VARCHAR AS resource,
  sum(value) AS total, arg_max(value, end_time) AS last_value, epoch_us(max(end_time)) AS last_end_us,
  max(rowid) AS max_rowid
FROM points WHERE ${where}
GROUP BY series_key, metric, unit, kind, monotonic, scope_name`;

const NEW_ROWS_SQL = seriesTotals('rowid > ?');

// What given series (a list of keys) had up to a row number: an expired series coming back.
const PRIOR_ROWS_SQL = seriesTotals('rowid <= ? AND series_key IN (SELECT unnest(?::UUID[]))');

export class ClaudeSeries {
  private families = new Map<string, Family>();
  private readonly placements = new Map<string, Placement>();
  private watermark = -1n;
  private anchorKey: string | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private queued: Promise<RefreshInfo> | undefined;
  private last: RefreshInfo = { durationMs: 0, groups: 0, rebuilt: false };
  /** stored series left out because their family name is taken by a family of another type */
  private readonly conflicting = new Set<string>();
  /** series dropped for want of new points (or never loaded, being older than the expiry) */
  private expiredCount = 0;
  private readonly expireAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: ReadSource,
    options: ClaudeSeriesOptions,
  ) {
    this.expireAfterMs = options.expireAfterMs;
    this.now = options.now ?? Date.now;
  }

  /** Reads what was stored since the last refresh. Concurrent callers share one queued refresh. */
  refresh(): Promise<RefreshInfo> {
    if (this.queued !== undefined) return this.queued;
    const next = this.chain.then(() => {
      this.queued = undefined;
      return this.refreshOnce();
    });
    this.queued = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  get lastRefresh(): RefreshInfo {
    return this.last;
  }

  get conflicts(): number {
    return this.conflicting.size;
  }

  get expired(): number {
    return this.expiredCount;
  }

  get seriesCount(): number {
    let n = 0;
    for (const family of this.families.values()) n += family.series.size;
    return n;
  }

  /** The families, series sorted by their labels. */
  metricFamilies(): MetricFamily[] {
    return [...this.families].map(([name, family]) => ({
      name,
      help: family.help,
      type: family.type,
      samples: this.ordered(family).map((key) => {
        const s = family.series.get(key) as SeriesValue;
        return { labels: s.labels, labelText: key, value: s.value };
      }),
    }));
  }

  /** The same families as exposition lines, only the changed ones formatted anew. */
  textFamilies(): MetricFamily[] {
    return [...this.families].map(([name, family]) => ({
      name,
      help: family.help,
      type: family.type,
      samples: [],
      lines: this.ordered(family).map((key) => {
        const s = family.series.get(key) as SeriesValue;
        s.line ??= `${name}${key} ${formatValue(s.value)}`;
        return s.line;
      }),
    }));
  }

  private ordered(family: Family): string[] {
    family.order ??= [...family.series.keys()].sort();
    return family.order;
  }

  private async refreshOnce(): Promise<RefreshInfo> {
    const started = performance.now();
    const nowMs = this.now();
    const { rows, prior, anchored, newWatermark, newAnchor } = await this.db.withRead((db) => this.read(db));
    let rebuilt = false;
    if (anchored) {
      // An expired series' earlier rows first, so that its new ones add to its whole total.
      for (const row of prior) this.add(this.families, row, nowMs);
      for (const row of rows) this.add(this.families, row, nowMs);
    } else {
      // The rows were renumbered (or the last one seen was deleted): `rows` holds the whole store.
      // Their points count from their own time, so sessions that ended long ago stay expired.
      const fresh = new Map<string, Family>();
      for (const row of rows) this.add(fresh, row, Math.min(nowMs, Number(row.last_end_us) / 1000));
      this.keepLarger(fresh);
      this.families = fresh;
      rebuilt = this.watermark >= 0n;
    }
    this.expire(nowMs);
    this.watermark = newWatermark;
    this.anchorKey = newAnchor;
    this.last = { durationMs: performance.now() - started, groups: rows.length, rebuilt };
    return this.last;
  }

  /** The new rows, the earlier rows of expired series among them and the new anchor, in one transaction. */
  private async read(db: ReadDb): Promise<{
    rows: Row[];
    prior: Row[];
    anchored: boolean;
    newWatermark: bigint;
    newAnchor: string | undefined;
  }> {
    await db.all('BEGIN TRANSACTION');
    try {
      let anchored = this.watermark >= 0n;
      if (anchored) {
        const [row] = await db.all('SELECT key::VARCHAR AS key FROM points WHERE rowid = ?', [
          this.watermark,
        ]);
        anchored = row !== undefined && row.key === this.anchorKey;
      }
      const rows = await db.all(NEW_ROWS_SQL, [anchored ? this.watermark : -1n]);
      const prior = anchored ? await this.priorRows(db, rows) : [];
      let newWatermark = anchored ? this.watermark : -1n;
      for (const row of rows) {
        const id = BigInt(row.max_rowid as bigint | number);
        if (id > newWatermark) newWatermark = id;
      }
      let newAnchor = anchored ? this.anchorKey : undefined;
      if (newWatermark >= 0n && newWatermark !== this.watermark) {
        const [row] = await db.all('SELECT key::VARCHAR AS key FROM points WHERE rowid = ?', [newWatermark]);
        newAnchor = row === undefined ? undefined : String(row.key);
      }
      return { rows, prior, anchored, newWatermark, newAnchor };
    } finally {
      // Never leave the pooled connection inside a transaction.
      await db.all('COMMIT').catch(() => db.all('ROLLBACK').catch(() => undefined));
    }
  }

  /**
   * What was stored up to the watermark for the new rows' series that are not exposed: an expired
   * series coming back. Looked up only once something has expired: until then, absent means new.
   */
  private async priorRows(db: ReadDb, rows: readonly Row[]): Promise<Row[]> {
    if (this.expiredCount === 0) return [];
    const absent: string[] = [];
    for (const row of rows) {
      const place = this.place(row);
      if (this.families.get(place.family)?.series.has(place.labelKey) !== true)
        absent.push(String(row.series));
    }
    return absent.length === 0 ? [] : db.all(PRIOR_ROWS_SQL, [this.watermark, listParam(absent)]);
  }

  /** Drops the series that got no point for `expireAfterMs`, and the cached placements leading to them. */
  private expire(nowMs: number): void {
    const horizon = nowMs - this.expireAfterMs;
    for (const [name, family] of this.families) {
      for (const [key, value] of family.series) {
        if (value.seenMs >= horizon) continue;
        family.series.delete(key);
        family.order = undefined;
        this.expiredCount++;
      }
      if (family.series.size === 0) this.families.delete(name);
    }
    for (const [cacheKey, place] of this.placements) {
      if (this.families.get(place.family)?.series.has(place.labelKey) !== true)
        this.placements.delete(cacheKey);
    }
  }

  private add(families: Map<string, Family>, row: Row, seenMs: number): void {
    const place = this.place(row);
    let family = families.get(place.family);
    if (family === undefined) {
      family = { help: place.help, type: place.type, series: new Map() };
      families.set(place.family, family);
    } else if (family.type !== place.type) {
      this.conflicting.add(`${place.family}${place.labelKey}`);
      return;
    }
    const lastEndUs = Number(row.last_end_us);
    const existing = family.series.get(place.labelKey);
    const gaugeValue = row.kind === 'gauge';
    if (existing === undefined) {
      family.order = undefined;
      family.series.set(place.labelKey, {
        labels: place.labels,
        value: Number(gaugeValue ? row.last_value : row.total),
        lastEndUs,
        seenMs,
      });
      return;
    }
    existing.seenMs = Math.max(existing.seenMs, seenMs);
    if (gaugeValue) {
      if (lastEndUs >= existing.lastEndUs) {
        existing.value = Number(row.last_value);
        existing.lastEndUs = lastEndUs;
        existing.line = undefined;
      }
    } else {
      existing.value += Number(row.total);
      existing.lastEndUs = Math.max(existing.lastEndUs, lastEndUs);
      existing.line = undefined;
    }
  }

  /** After a rebuild: sums never go below what Prometheus already saw; vanished series stay until they expire. */
  private keepLarger(fresh: Map<string, Family>): void {
    for (const [name, old] of this.families) {
      const family = fresh.get(name);
      if (family === undefined) {
        fresh.set(name, old);
        continue;
      }
      if (family.type !== old.type) continue;
      for (const [key, value] of old.series) {
        const now = family.series.get(key);
        if (now === undefined) {
          family.series.set(key, value);
          family.order = undefined;
          continue;
        }
        now.seenMs = Math.max(now.seenMs, value.seenMs);
        if (family.type === 'counter' && value.value > now.value) {
          now.value = value.value;
          now.line = undefined;
        }
      }
    }
  }

  private place(row: Row): Placement {
    const cacheKey = `${String(row.series)}|${String(row.metric)}|${String(row.unit)}|${String(row.kind)}|${String(row.monotonic)}`;
    const cached = this.placements.get(cacheKey);
    if (cached !== undefined) return cached;
    const metric = String(row.metric);
    const kind = row.kind === 'gauge' ? 'gauge' : 'sum';
    const monotonic = row.monotonic === true;
    const family = prometheusMetricName(metric, { unit: String(row.unit), kind, monotonic });
    const labels = seriesLabels(
      parseAttributes(row.attributes),
      parseAttributes(row.resource),
      String(row.scope_name),
    );
    const placement: Placement = {
      family,
      // A non-monotonic sum can go down: Prometheus must not read it as a counter.
      type: kind === 'sum' && monotonic ? 'counter' : 'gauge',
      // The store keeps no descriptions; Claude Code's own are known, others are named by their OTLP name.
      help: CLAUDE_CODE_METRICS[metric]?.help ?? `${metric} (OTLP metric)`,
      labels,
      labelKey: formatLabels(labels),
    };
    this.placements.set(cacheKey, placement);
    return placement;
  }
}
