/**
 * The design document's "Key Learnings" table as checks over what `deploy k8s` renders. The renderer runs
 * every check and refuses to write files that would repeat a mistake the table records; each refusal
 * names the lesson.
 */
import { componentType, PORTS, type CollectorConfig } from './collector-config.js';
import type { K8sObject } from './manifests.js';
import { parseMemoryQuantity } from './quantity.js';

/** What the lessons are checked against: the rendered objects and what clients are told to set. */
export interface Bundle {
  readonly collector: CollectorConfig;
  readonly deployment: K8sObject;
  readonly dashboard: object;
  readonly rule: K8sObject;
  /** the Claude Code environment the generated README tells each client machine to use */
  readonly clientEnv: Readonly<Record<string, string>>;
}

export interface Lesson {
  readonly topic: string;
  readonly lesson: string;
  readonly check: (bundle: Bundle) => string[];
}

export class LessonError extends Error {
  override readonly name = 'LessonError';
}

/** The Prometheus names of Claude Code's metrics, as the Collector's prometheus exporter writes them. */
export const CLAUDE_CODE_METRICS: readonly string[] = [
  'claude_code_session_count_total',
  'claude_code_lines_of_code_count_total',
  'claude_code_pull_request_count_total',
  'claude_code_commit_count_total',
  'claude_code_cost_usage_USD_total',
  'claude_code_token_usage_tokens_total',
  'claude_code_code_edit_tool_decision_total',
  'claude_code_active_time_seconds_total',
];

export const LESSONS: readonly Lesson[] = [
  {
    topic: 'OTel Collector memory',
    lesson: 'Container memory limit (600Mi) must exceed memory_limiter (512 MiB) or pod OOM-kills',
    check: ({ collector, deployment }) => {
      const limiter = record(collector.processors.memory_limiter);
      const limitMib = limiter?.limit_mib;
      const problems: string[] = [];
      if (typeof limitMib !== 'number') return ['the memory_limiter processor with limit_mib is missing'];
      for (const [name, pipeline] of Object.entries(collector.service.pipelines)) {
        if (pipeline.processors[0] !== 'memory_limiter')
          problems.push(
            `pipeline ${name} must start with memory_limiter, has [${pipeline.processors.join(', ')}]`,
          );
      }
      const limit = containerOf(deployment)?.resources?.limits?.memory;
      if (typeof limit !== 'string') problems.push('the collector container has no memory limit');
      else if (parseMemoryQuantity('memory limit', limit) <= limitMib * 1024 * 1024)
        problems.push(
          `the container memory limit ${limit} is not above the memory_limiter's ${limitMib} MiB`,
        );
      return problems;
    },
  },
  {
    topic: 'Loki OTLP ingestion',
    lesson: 'Use `otlphttp/loki` exporter with endpoint `/otlp`, not deprecated `loki` exporter',
    check: ({ collector }) => {
      const problems = Object.keys(collector.exporters)
        .filter((id) => componentType(id) === 'loki')
        .map(
          (id) =>
            `exporter ${id} is the deprecated loki exporter; use otlphttp/loki with Loki's /otlp endpoint`,
        );
      for (const [name, pipeline] of Object.entries(collector.service.pipelines)) {
        if (!name.startsWith('logs')) continue;
        const otlp = pipeline.exporters.filter((id) => componentType(id) === 'otlphttp');
        if (otlp.length === 0) problems.push(`pipeline ${name} exports to no otlphttp exporter`);
        for (const id of otlp) {
          const endpoint = record(collector.exporters[id])?.endpoint;
          if (typeof endpoint !== 'string' || !/\/otlp\/?$/.test(endpoint))
            problems.push(`exporter ${id} must point at Loki's /otlp endpoint, has ${String(endpoint)}`);
        }
      }
      return problems;
    },
  },
  {
    topic: 'health_check extension',
    lesson: 'Must explicitly enable health_check extension for liveness/readiness probes on :13133',
    check: ({ collector, deployment }) => {
      const endpoint = record(collector.extensions.health_check)?.endpoint;
      const problems: string[] = [];
      if (!collector.service.extensions.includes('health_check'))
        problems.push('health_check is not listed in service.extensions');
      if (endpoint !== `0.0.0.0:${PORTS.health}`)
        problems.push(
          `health_check must listen on 0.0.0.0:${PORTS.health} (the probes come from the node), has ${String(endpoint)}`,
        );
      const container = containerOf(deployment);
      const healthPort = container?.ports?.find((p) => p.name === 'health')?.containerPort;
      if (healthPort !== PORTS.health) problems.push(`the container's health port is not ${PORTS.health}`);
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        const target = container?.[probe]?.httpGet?.port;
        if (target !== 'health' && target !== PORTS.health)
          problems.push(`the ${probe} does not probe the health_check port ${PORTS.health}`);
      }
      return problems;
    },
  },
  {
    topic: 'Per-session counters',
    lesson: 'All Claude Code metrics are per-session; use `increase()` or `rate()`, never raw `sum()`',
    check: (bundle) =>
      queries(bundle).flatMap(({ where, expr }) =>
        instantCounterSelectors(expr).map(
          (name) => `${where}: ${name} is read without a range (e.g. increase(${name}[1h])): ${expr}`,
        ),
      ),
  },
  {
    topic: 'OTEL_RESOURCE_ATTRIBUTES',
    lesson: 'Use `machine.name=$HOST` to auto-identify which machine generated metrics',
    check: ({ clientEnv }) =>
      /(^|,)\s*machine\.name=[^,]+/.test(clientEnv.OTEL_RESOURCE_ATTRIBUTES ?? '')
        ? []
        : ['the client settings do not set machine.name in OTEL_RESOURCE_ATTRIBUTES'],
  },
  {
    topic: 'Prometheus metric names',
    lesson: 'OTLP dots become underscores, counters get `_total` suffix — verify after deployment',
    check: (bundle) => {
      const exporter = record(bundle.collector.exporters.prometheus) ?? {};
      const problems: string[] = [];
      if (exporter.add_metric_suffixes === false)
        problems.push(
          'the prometheus exporter has add_metric_suffixes: false, so counters lose _total and units',
        );
      if (
        exporter.translation_strategy !== undefined &&
        exporter.translation_strategy !== 'UnderscoreEscapingWithSuffixes'
      )
        problems.push(
          `the prometheus exporter's translation_strategy ${String(exporter.translation_strategy)} changes the names`,
        );
      if (exporter.namespace !== undefined)
        problems.push(
          `the prometheus exporter's namespace "${String(exporter.namespace)}" prefixes every metric name`,
        );
      for (const { where, expr } of queries(bundle)) {
        for (const name of expr.match(/\bclaude_code_\w+/g) ?? []) {
          if (!CLAUDE_CODE_METRICS.includes(name))
            problems.push(
              `${where}: ${name} is not a metric name the exporter writes (${CLAUDE_CODE_METRICS.join(', ')})`,
            );
        }
      }
      return problems;
    },
  },
  {
    topic: 'Loki event names',
    lesson:
      'OTLP native ingestion stores attributes as structured metadata — query with `| event_name="api_request"`, not `| json`',
    check: (bundle) =>
      queries(bundle)
        .filter(({ expr }) => /service_name\s*=/.test(expr) && /\|\s*(json|logfmt)\b/.test(expr))
        .map(
          ({ where, expr }) =>
            `${where}: parses the log line; filter on structured metadata instead: ${expr}`,
        ),
  },
  {
    topic: 'Security hardening',
    lesson:
      'OTel Collector supports runAsNonRoot (UID 10001), readOnlyRootFilesystem, drop ALL capabilities, seccompProfile RuntimeDefault',
    check: ({ deployment }) => {
      const pod = podSpec(deployment);
      const container = containerOf(deployment);
      const problems: string[] = [];
      if (pod?.securityContext?.runAsNonRoot !== true)
        problems.push('the pod does not set runAsNonRoot: true');
      if (pod?.securityContext?.runAsUser !== 10001) problems.push('the pod does not run as UID 10001');
      if (pod?.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
        problems.push('the pod does not use the RuntimeDefault seccomp profile');
      const sc = container?.securityContext;
      if (sc?.readOnlyRootFilesystem !== true)
        problems.push('the container root filesystem is not read-only');
      if (sc?.allowPrivilegeEscalation !== false) problems.push('the container allows privilege escalation');
      if (!(sc?.capabilities?.drop ?? []).includes('ALL'))
        problems.push('the container does not drop ALL capabilities');
      return problems;
    },
  },
];

/** Every lesson's problems, each prefixed with its topic; empty when the bundle keeps them all. */
export function lessonProblems(bundle: Bundle): string[] {
  return LESSONS.flatMap((l) => l.check(bundle).map((p) => `${l.topic}: ${p}\n    lesson: ${l.lesson}`));
}

export function enforceLessons(bundle: Bundle): void {
  const problems = lessonProblems(bundle);
  if (problems.length > 0)
    throw new LessonError(
      `refusing to render: the deployment would break the design document's Key Learnings\n  - ${problems.join('\n  - ')}`,
    );
}

/** Counter names used as instant vectors: a per-session counter must be read through a range. */
export function instantCounterSelectors(expr: string): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/\b(claude_code_\w+_total)\b(\s*\{[^}]*\})?(\s*\[)?/g)) {
    if (m[3] === undefined && m[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** Every query of the alert rules and the dashboard, with where it is. */
function queries(bundle: Bundle): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const groups = (
    bundle.rule.spec as { groups?: { rules?: { alert?: string; record?: string; expr?: unknown }[] }[] }
  )?.groups;
  for (const group of groups ?? []) {
    for (const rule of group.rules ?? []) {
      if (typeof rule.expr === 'string')
        out.push({ where: `rule ${rule.alert ?? rule.record ?? '?'}`, expr: rule.expr });
    }
  }
  walk(bundle.dashboard, (title, expr) => out.push({ where: `dashboard panel "${title}"`, expr }));
  return out;
}

function walk(node: unknown, visit: (title: string, expr: string) => void, title = ''): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, title);
    return;
  }
  const rec = record(node);
  if (rec === undefined) return;
  const here = typeof rec.title === 'string' ? rec.title : title;
  for (const [key, value] of Object.entries(rec)) {
    if (key === 'expr' && typeof value === 'string') visit(here, value);
    else walk(value, visit, here);
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

interface Probe {
  httpGet?: { port?: string | number };
}
interface ContainerShape {
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { limits?: { memory?: unknown } };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodShape {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  containers?: ContainerShape[];
}

function podSpec(deployment: K8sObject): PodShape | undefined {
  return (deployment.spec as { template?: { spec?: PodShape } } | undefined)?.template?.spec;
}

function containerOf(deployment: K8sObject): ContainerShape | undefined {
  return podSpec(deployment)?.containers?.[0];
}
