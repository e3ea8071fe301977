import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseAlertsConfig } from '../alerts/config.js';
import { flagSection, readConfigSection } from '../config/config-file.js';
import { ConfigError } from '../config/values.js';
import { renderFiles, type DeployParts } from '../deploy/render.js';
import { grafanaDashboard } from '../exporters/grafana-dashboard.js';
import { prometheusRule } from '../exporters/prometheus-rule.js';
import {
  DEPLOY_SETTINGS,
  resolveDeployConfig,
  type DeployConfig,
  type RawDeploySettings,
} from '../deploy/settings.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const OWN_FLAGS = ['out', 'config', 'collector-overrides'];

const options = {
  out: { type: 'string' },
  config: { type: 'string' },
  'collector-overrides': { type: 'string' },
  ...Object.fromEntries(DEPLOY_SETTINGS.map((s) => [s.flag, { type: 'string' }])),
} as const;

function help(): string {
  const rows = DEPLOY_SETTINGS.map(
    (s) =>
      `  ${`--${s.flag} ${s.arg}`.padEnd(34)} ${s.help}${s.fallback === undefined ? '' : ` (default ${s.fallback})`}`,
  );
  return `Usage: ccmon deploy k8s --out DIR [options]

Renders the design document's Kubernetes deployment into DIR: otel-collector-config.yaml,
otel-collector.yaml, otel-collector-servicemonitor.yaml, claude-dashboard-configmap.yaml,
claude-alerts.yaml, kustomization.yaml and README.md (apply, verify and rollback commands).
Settings that would break one of the document's Key Learnings are refused.

Options:
  --out DIR                          where to write the files (created if missing)
  --config FILE                      settings file (YAML; its deploy: section takes these flags
                                     without dashes, its alerts: section the alert rules)
  --collector-overrides FILE         YAML merged into the collector configuration (null removes a key)
${rows.join('\n')}
  -h, --help                         show this help

Precedence: flags > config file > defaults.`;
}

function readOverrides(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `--collector-overrides: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The dashboard and rules come from the shared generators, with this deployment's names. */
function generatedParts(
  config: DeployConfig,
  configPath: string | undefined,
  overrides: string | undefined,
): DeployParts {
  const alerts = parseAlertsConfig(readConfigSection(configPath, 'alerts') ?? {});
  return {
    dashboard: grafanaDashboard({
      ...(config.prometheusDatasource !== undefined
        ? { prometheusDatasource: config.prometheusDatasource }
        : {}),
      ...(config.lokiDatasource !== undefined ? { lokiDatasource: config.lokiDatasource } : {}),
    }),
    prometheusRule: prometheusRule(alerts, {
      namespace: config.namespace,
      labels: { release: config.release },
    }),
    ...(overrides !== undefined ? { collectorOverrides: readOverrides(overrides) } : {}),
  };
}

export const deployCommand: Command = {
  summary: "render the design document's Kubernetes deployment (deploy k8s --out DIR)",
  async run(args) {
    const { values, positionals } = parse(args, options, 'deploy');
    if (values.help === true) {
      console.log(help());
      return 0;
    }
    if (positionals[0] !== 'k8s' || positionals.length > 1)
      throw new UsageError(
        `expected \`ccmon deploy k8s --out DIR\`\nRun \`ccmon deploy --help\` for the options.`,
      );
    const configPath = values.config as string | undefined;
    const file = flagSection(configPath, 'deploy', [
      ...OWN_FLAGS.slice(1),
      ...DEPLOY_SETTINGS.map((s) => s.flag),
    ]);
    const pick = (flag: string): string | undefined =>
      ((values as Record<string, unknown>)[flag] as string | undefined) ?? undefined;
    const toRaw = (source: (flag: string) => string | undefined): RawDeploySettings => {
      const raw: RawDeploySettings = {};
      for (const s of DEPLOY_SETTINGS) {
        const v = source(s.flag);
        if (v !== undefined) raw[s.key] = v;
      }
      return raw;
    };
    const config = resolveDeployConfig(
      toRaw(pick),
      toRaw((flag) => file[flag]),
    );
    const out = pick('out');
    if (out === undefined)
      throw new UsageError('--out DIR is required\nRun `ccmon deploy --help` for the options.');
    const files = renderFiles(
      config,
      generatedParts(config, configPath, pick('collector-overrides') ?? file['collector-overrides']),
    );
    mkdirSync(out, { recursive: true });
    for (const f of files) writeFileSync(join(out, f.name), f.text);
    console.log(`wrote ${files.length} files to ${out}:`);
    for (const f of files) console.log(`  ${f.name}`);
    console.log(`apply with \`kubectl apply -k ${out}\`; ${out}/README.md has the verify and rollback steps`);
    return 0;
  },
};
