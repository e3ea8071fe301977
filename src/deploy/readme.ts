/** The README.md written beside the manifests: apply, verify and roll back, in the document's order. */
import { PORTS } from './collector-config.js';
import type { DeployConfig } from './settings.js';

/** The document's five files, in the order it applies them; rollback deletes in reverse. */
export const MANIFEST_FILES = [
  'otel-collector-config.yaml',
  'otel-collector.yaml',
  'otel-collector-servicemonitor.yaml',
  'claude-dashboard-configmap.yaml',
  'claude-alerts.yaml',
] as const;

export function readme(config: DeployConfig): string {
  const ns = config.namespace;
  const host = config.loadBalancerIp ?? '<EXTERNAL-IP>';
  const url = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const apply = MANIFEST_FILES.map((f) => `kubectl apply -f ${f}`).join('\n');
  const remove = [...MANIFEST_FILES]
    .reverse()
    .map((f) => `kubectl delete -f ${f}`)
    .join('\n');
  return `# Claude Code monitoring on Kubernetes

Rendered by \`ccmon deploy k8s\`. Change a setting and render again rather than editing these files: the
renderer refuses settings that break the design document's Key Learnings.

| file | what |
|---|---|
| otel-collector-config.yaml | ConfigMap: the Collector pipeline (OTLP -> memory_limiter, batch -> prometheus :${PORTS.metrics}, otlphttp/loki) |
| otel-collector.yaml | Deployment (1 replica, ${config.image}) and LoadBalancer Service (${host}) |
| otel-collector-servicemonitor.yaml | ServiceMonitor (label release: ${config.release}) scraping :${PORTS.metrics} |
| claude-dashboard-configmap.yaml | Grafana dashboard "Claude Code Monitoring" (label ${config.dashboardLabel.key}: "${config.dashboardLabel.value}") |
| claude-alerts.yaml | PrometheusRule with the cost and availability alerts (label release: ${config.release}) |
| kustomization.yaml | all five, for \`kubectl apply -k\` |

Needs kube-prometheus-stack (its CRDs, a Prometheus selecting \`release: ${config.release}\`, Grafana's
dashboard sidecar) and Loki 3 with \`limits_config.allow_structured_metadata: true\` in namespace ${ns}.

## Apply

\`\`\`sh
kubectl apply -k .
\`\`\`

or one by one, in the document's order:

\`\`\`sh
${apply}
\`\`\`

## Verify

\`\`\`sh
kubectl -n ${ns} get pods -l app=otel-collector
kubectl -n ${ns} get svc otel-collector        # EXTERNAL-IP ${host}
curl -s ${url(PORTS.health)}/                   # the health check, through the load balancer

# The design document's checklist, against the live endpoints (port-forward those not exposed):
ccmon verify --collector-health ${url(PORTS.health)}/ \\
  --prometheus http://localhost:9090 --alertmanager http://localhost:9093 \\
  --loki http://localhost:3100 --grafana https://grafana.example --grafana-token "$GRAFANA_TOKEN"
\`\`\`

## Client machines

\`\`\`sh
ccmon client setup --endpoint ${url(PORTS['otlp-grpc'])} --protocol grpc   # writes ~/.claude/settings.json
ccmon client check                                                         # one test export
\`\`\`

\`--shell zsh\` (or bash, fish) writes a marked block in the shell's rc file instead. Each machine reports
itself as \`machine.name\` (default: its host name).

## Roll back

\`\`\`sh
kubectl delete -k .
\`\`\`

or one by one, in reverse order:

\`\`\`sh
${remove}
\`\`\`

Then on each client machine \`ccmon client remove\`: it restores Claude Code's settings as they were
before \`client setup\`.
`;
}
