import { writeFileSync } from 'node:fs';
import { grafanaDashboard } from '../exporters/grafana-dashboard.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: ccmon grafana dashboard [options]

Writes the "Claude Code Monitoring" Grafana dashboard as JSON (33 panels in 8 rows), generated from the
same definition as ccmon's own dashboard. Metric panels query Prometheus (the OpenTelemetry Collector's
metric names, or ccmon's /metrics); event panels query Loki (its native OTLP ingestion). Import it in
Grafana (Dashboards > New > Import) or provision it from a file.

Options:
  --out FILE                      write to FILE instead of standard output
  --prometheus-datasource UID     select this Prometheus datasource (default: Grafana's default)
  --loki-datasource UID           select this Loki datasource (default: Grafana's default)
  -h, --help                      show this help`;

const options = {
  out: { type: 'string' },
  'prometheus-datasource': { type: 'string' },
  'loki-datasource': { type: 'string' },
} as const;

export const grafanaCommand: Command = {
  summary: 'write the Grafana dashboard JSON (grafana dashboard [--out FILE])',
  async run(args) {
    const { values, positionals } = parse(args, options, 'grafana');
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    if (positionals[0] !== 'dashboard' || positionals.length > 1) {
      throw new UsageError('expected `ccmon grafana dashboard`\nRun `ccmon grafana --help` for the options.');
    }
    const prometheus = values['prometheus-datasource'];
    const loki = values['loki-datasource'];
    const json = `${JSON.stringify(
      grafanaDashboard({
        ...(prometheus !== undefined ? { prometheusDatasource: prometheus } : {}),
        ...(loki !== undefined ? { lokiDatasource: loki } : {}),
      }),
      null,
      2,
    )}\n`;
    if (values.out === undefined) process.stdout.write(json);
    else writeFileSync(values.out, json);
    return 0;
  },
};
