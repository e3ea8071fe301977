import { healthFamilies, type HealthSources } from './ccmon-health.js';
import { ClaudeSeries, type ClaudeSeriesOptions, type ReadSource } from './claude-series.js';
import type { MetricFamily } from './prometheus-text.js';
import { renderText } from './prometheus-text.js';

/**
 * What `/metrics` answers: the clients' metrics, cumulative per series from the stored deltas and
 * named as the OpenTelemetry Collector's `prometheus` exporter names them (so one Grafana dashboard
 * reads either), followed by ccmon's own `ccmon_` figures.
 */
export class PrometheusExposition {
  private refreshes = 0;
  private rebuilds = 0;

  constructor(
    private readonly series: ClaudeSeries,
    private readonly health: () => Promise<MetricFamily[]>,
  ) {}

  async render(): Promise<string> {
    const info = await this.series.refresh();
    this.refreshes++;
    if (info.rebuilt) this.rebuilds++;
    const own = [...(await this.health()), ...this.ownFamilies(info.durationMs)];
    const taken = new Set(own.map((f) => f.name));
    // A client metric that happens to carry one of ccmon's names would make the family ambiguous.
    const clients = this.series.textFamilies().filter((f) => !taken.has(f.name));
    return renderText([...clients, ...own]);
  }

  private ownFamilies(refreshMs: number): MetricFamily[] {
    return [
      {
        name: 'ccmon_metrics_series',
        help: 'Series of client metrics exposed on /metrics.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.series.seriesCount }],
      },
      {
        name: 'ccmon_metrics_expired_series_total',
        help: 'Series of client metrics dropped from /metrics after getting no new points for --metric-expiration.',
        type: 'counter',
        samples: [{ labels: {}, value: this.series.expired }],
      },
      {
        name: 'ccmon_metrics_refresh_seconds',
        help: 'Time the last /metrics scrape took to read new points from the store.',
        type: 'gauge',
        samples: [{ labels: {}, value: refreshMs / 1000 }],
      },
      {
        name: 'ccmon_metrics_rebuilds_total',
        help: 'Times the series were recomputed from the whole store because its row numbers changed.',
        type: 'counter',
        samples: [{ labels: {}, value: this.rebuilds }],
      },
      {
        name: 'ccmon_metrics_conflicting_series',
        help: 'Stored series left out because their name is taken by a family of another type.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.series.conflicts }],
      },
    ];
  }
}

/** The exposition of a running ccmon: its store's series and its health figures. */
export function prometheusExposition(
  db: ReadSource,
  health: HealthSources,
  options: ClaudeSeriesOptions,
): PrometheusExposition {
  return new PrometheusExposition(new ClaudeSeries(db, options), () => healthFamilies(health));
}
