/**
 * `ccmon verify`: the design document's Verification Checklist as checks against live endpoints. A check
 * whose endpoint was not given is skipped (a failure with --strict); a failing check says what to do.
 */
import { Unreachable } from './http-get.js';

export interface VerifyTargets {
  readonly collectorHealth?: string | undefined;
  readonly prometheus?: string | undefined;
  readonly loki?: string | undefined;
  readonly lokiTenant?: string | undefined;
  readonly grafana?: string | undefined;
  readonly grafanaToken?: string | undefined;
  readonly alertmanager?: string | undefined;
  readonly ccmon?: string | undefined;
  readonly ccmonToken?: string | undefined;
  /** the collector's scrape job (the Service's name under a ServiceMonitor) */
  readonly job: string;
  readonly ruleGroup: string;
  /** alert names the group must hold */
  readonly expectedAlerts: readonly string[];
  readonly dashboardUid: string;
  readonly expectedRows: number;
  readonly expectedPanels: number;
  /** "a client is sending": Claude Code telemetry newer than this */
  readonly recentMs: number;
  /** how far back to look for events in Loki */
  readonly eventsSinceMs: number;
  /** a machine.name that must be among the recent senders */
  readonly machine?: string | undefined;
  readonly timeoutMs: number;
}

export type Status = 'pass' | 'fail' | 'skip';

/** What a check found: passed or not, in one line, and for a failure what to try. */
export interface Finding {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

export interface VerifyCheck {
  readonly id: string;
  /** the checklist line it stands for */
  readonly title: string;
  /** the flag(s) it needs, when they were not given; undefined when it can run */
  readonly missing: (t: VerifyTargets) => string | undefined;
  readonly run: (t: VerifyTargets) => Promise<Finding>;
}

export interface Outcome {
  readonly id: string;
  readonly title: string;
  readonly status: Status;
  readonly detail: string;
  readonly hint?: string;
}

/** Runs the checks one after another (they are few and each is one or two GETs), in checklist order. */
export async function runChecks(
  checks: readonly VerifyCheck[],
  targets: VerifyTargets,
  strict: boolean,
): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const check of checks) {
    const missing = check.missing(targets);
    if (missing !== undefined) {
      out.push({
        id: check.id,
        title: check.title,
        status: strict ? 'fail' : 'skip',
        detail: `not checked: ${missing} not given`,
        ...(strict ? { hint: `give ${missing} (--strict fails every check it cannot make)` } : {}),
      });
      continue;
    }
    let finding: Finding;
    try {
      finding = await check.run(targets);
    } catch (error) {
      finding =
        error instanceof Unreachable
          ? {
              ok: false,
              detail: error.message,
              hint: 'the endpoint did not answer: check the URL, the port-forward or the Service, and that the component runs',
            }
          : {
              ok: false,
              detail: `unexpected answer: ${error instanceof Error ? error.message : String(error)}`,
            };
    }
    out.push({
      id: check.id,
      title: check.title,
      status: finding.ok ? 'pass' : 'fail',
      detail: finding.detail,
      ...(finding.ok || finding.hint === undefined ? {} : { hint: finding.hint }),
    });
  }
  return out;
}

export function exitCode(outcomes: readonly Outcome[]): number {
  return outcomes.some((o) => o.status === 'fail') ? 1 : 0;
}

export function summaryLine(outcomes: readonly Outcome[]): string {
  const count = (s: Status) => outcomes.filter((o) => o.status === s).length;
  return `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
}

/** A table of the checks, then what to do for each failure. */
export function renderTable(outcomes: readonly Outcome[]): string {
  const label: Record<Status, string> = { pass: 'pass', fail: 'FAIL', skip: 'skip' };
  const width = Math.max(5, ...outcomes.map((o) => o.title.length));
  const lines = [`${'RESULT'.padEnd(7)} ${'CHECK'.padEnd(width)}  DETAIL`];
  for (const o of outcomes) lines.push(`${label[o.status].padEnd(7)} ${o.title.padEnd(width)}  ${o.detail}`);
  const failures = outcomes.filter((o) => o.status === 'fail');
  if (failures.length > 0) {
    lines.push('', 'What to do:');
    for (const f of failures) lines.push(`  ${f.title}:`, `    ${f.hint ?? 'see the detail above'}`);
  }
  lines.push('', summaryLine(outcomes));
  return `${lines.join('\n')}\n`;
}

export function renderJson(outcomes: readonly Outcome[]): string {
  return `${JSON.stringify({ ok: exitCode(outcomes) === 0, summary: summaryLine(outcomes), checks: outcomes }, null, 2)}\n`;
}
