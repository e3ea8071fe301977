/*
 * The settings that point Claude Code at this ccmon: the README's "Point Claude Code at it" block
 * with this server's OTLP endpoint. Pure, so a test can hold it against the README.
 */

export interface SetupInfo {
  readonly grpcEndpoint: string;
  readonly httpEndpoint: string;
  readonly tokenRequired: boolean;
}

/** Written where the user's own token goes; ccmon never puts a real token into the page. */
export const TOKEN_PLACEHOLDER = 'YOUR_TOKEN';

function variables(info: SetupInfo, machine: string): [string, string][] {
  const vars: [string, string][] = [
    ['CLAUDE_CODE_ENABLE_TELEMETRY', '1'],
    ['OTEL_METRICS_EXPORTER', 'otlp'],
    ['OTEL_LOGS_EXPORTER', 'otlp'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', info.grpcEndpoint],
    ['OTEL_METRIC_EXPORT_INTERVAL', '60000'],
    ['OTEL_LOGS_EXPORT_INTERVAL', '5000'],
    ['OTEL_RESOURCE_ATTRIBUTES', `machine.name=${machine}`],
  ];
  if (info.tokenRequired)
    vars.push(['OTEL_EXPORTER_OTLP_HEADERS', `Authorization=Bearer ${TOKEN_PLACEHOLDER}`]);
  return vars;
}

/** For ~/.zshrc or ~/.bashrc. */
export function shellBlock(info: SetupInfo): string {
  const lines = variables(info, '$(hostname)').map(([name, value]) =>
    /[\s$()]/.test(value) ? `export ${name}="${value}"` : `export ${name}=${value}`,
  );
  return ['# Claude Code telemetry -> ccmon', ...lines].join('\n');
}

/** For the `env` block of ~/.claude/settings.json. */
export function settingsJson(info: SetupInfo): string {
  return JSON.stringify({ env: Object.fromEntries(variables(info, 'my-laptop')) }, null, 2);
}
