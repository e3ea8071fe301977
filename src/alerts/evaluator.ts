/**
 * Evaluates every rule on an interval inside `ccmon serve`, runs the state machine per rule and label
 * set, keeps the states in the store, and hands notifications to the receivers' queues. Evaluations
 * only read through `withRead`; a write happens only when a state changes.
 */
import type { Database } from '../store/database.js';
import { loadStates, pruneHistory, readHistory, saveStates, type HistoryEntry } from './alert-store.js';
import type { AlertsConfig } from './config.js';
import { evaluateCondition } from './conditions.js';
import { createReceiver, type Notice, type Receiver } from './notifiers.js';
import { alertRules, renderTemplate, type AlertRule } from './rules.js';
import {
  advance,
  labelsKey,
  type ActiveAlert,
  type AlertState,
  type Labels,
  type Transition,
} from './state.js';

/** One row of GET /api/v1/alerts' `rules`: an active alert, or the rule itself while nothing is active. */
export interface RuleView {
  readonly name: string;
  readonly severity: string;
  readonly state: AlertState;
  readonly value: number;
  readonly activeAt: string | null;
  readonly summary: string;
  readonly description: string;
  readonly labels: Labels;
}

export interface AlertsView {
  readonly rules: readonly RuleView[];
  readonly history: readonly HistoryEntry[];
}

export interface EvaluatorOptions {
  readonly db: Database;
  readonly config: AlertsConfig;
  readonly log?: (line: string) => void;
  /** the clock (tests move it) */
  readonly now?: () => number;
  /** receivers to use instead of building them from the config (tests) */
  readonly receivers?: readonly Receiver[];
}

const HISTORY_KEEP_MS = 90 * 86_400_000;
const PRUNE_EVERY_MS = 86_400_000;

type States = Map<string, ReadonlyMap<string, ActiveAlert>>;

/** `enabled: false` switches ccmon's own evaluation off (the PrometheusRule is still generated). */
function evaluatedRules(config: AlertsConfig): readonly AlertRule[] {
  return config.enabled ? alertRules(config) : [];
}

export class AlertEvaluator {
  private readonly rules: readonly AlertRule[];
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private receivers: readonly Receiver[] = [];
  private readonly values = new Map<string, number>();
  private readonly lastResend = new Map<Receiver, number>();
  private externalUrl = 'http://127.0.0.1';
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastPruneMs = 0;

  private constructor(
    private readonly options: EvaluatorOptions,
    private readonly states: States,
  ) {
    this.rules = evaluatedRules(options.config);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  /** Loads the stored states (dropping those of rules no longer configured). Evaluation starts with `start`. */
  static async open(options: EvaluatorOptions): Promise<AlertEvaluator> {
    const stored = await loadStates(options.db);
    const names = new Set(evaluatedRules(options.config).map((r) => r.name));
    const states: States = new Map();
    for (const name of names) states.set(name, stored.get(name) ?? new Map());
    if ([...stored.keys()].some((name) => !names.has(name))) await saveStates(options.db, states, [], true);
    return new AlertEvaluator(options, states);
  }

  /** Begins evaluating every interval; `externalUrl` is where notifications point back to. */
  start(externalUrl: string): void {
    this.externalUrl = this.options.config.externalUrl ?? externalUrl.replace(/\/+$/, '');
    this.receivers =
      this.options.receivers ??
      this.options.config.receivers.map((r) => createReceiver(r, () => this.externalUrl, this.log));
    if (this.rules.length === 0 || this.stopped) return;
    const loop = (): void => {
      const started = this.now();
      void this.evaluate().finally(() => {
        if (this.stopped) return;
        const wait = Math.max(0, this.options.config.intervalMs - (this.now() - started));
        // unref: the listeners keep a server alive; a forgotten evaluator must not keep a process up.
        this.timer = setTimeout(loop, wait).unref();
      });
    };
    loop();
  }

  /** One evaluation of every rule, after any evaluation still running. Errors are logged, not thrown. */
  evaluate(): Promise<void> {
    const run = this.chain.then(() => (this.stopped ? undefined : this.cycle()));
    this.chain = run.catch((error: unknown) => {
      if (!this.stopped)
        this.log(`alerts: evaluation failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.chain;
  }

  /** The rules' current states and the latest state changes, for the API and the UI. */
  async view(historyLimit = 100): Promise<AlertsView> {
    const rows: RuleView[] = [];
    for (const rule of this.rules) {
      const active = [...(this.states.get(rule.name)?.values() ?? [])].sort((a, b) =>
        labelsKey(a.labels) < labelsKey(b.labels) ? -1 : 1,
      );
      if (active.length === 0) {
        rows.push(this.row(rule, 'inactive', this.values.get(rule.name) ?? 0, null, {}));
      }
      for (const a of active)
        rows.push(this.row(rule, a.state, a.value, new Date(a.activeAtMs).toISOString(), a.labels));
    }
    const history = await this.options.db.withRead((r) => readHistory(r, historyLimit));
    return { rules: rows, history };
  }

  /** Stops evaluating (waiting for a running evaluation), then closes the receivers' queues. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain;
    await Promise.all(this.receivers.map((r) => r.close()));
  }

  private row(
    rule: AlertRule,
    state: AlertState,
    value: number,
    activeAt: string | null,
    labels: Labels,
  ): RuleView {
    return {
      name: rule.name,
      severity: rule.severity,
      state,
      value,
      activeAt,
      summary: renderTemplate(rule.annotations.summary, value, rule.unit, labels),
      description: renderTemplate(rule.annotations.description, value, rule.unit, labels),
      labels,
    };
  }

  private async cycle(): Promise<void> {
    const nowMs = this.now();
    const changed: States = new Map();
    const transitions: Transition[] = [];
    const results = await this.options.db.withRead(async (r) => {
      const out: { rule: AlertRule; samples: Awaited<ReturnType<typeof evaluateCondition>> }[] = [];
      for (const rule of this.rules)
        out.push({ rule, samples: await evaluateCondition(r, rule.condition, nowMs) });
      return out;
    });
    const next: States = new Map();
    for (const { rule, samples } of results) {
      this.values.set(rule.name, samples.value);
      const current = this.states.get(rule.name) ?? new Map<string, ActiveAlert>();
      const step = advance(rule.name, rule.forMs, current, samples.samples, nowMs);
      next.set(rule.name, step.next);
      if (step.changed) changed.set(rule.name, step.next);
      transitions.push(...step.transitions);
    }
    // Stored first: if the write fails, the states stay as they were and the next round retries.
    if (changed.size > 0) await saveStates(this.options.db, changed, transitions);
    for (const [name, alerts] of next) this.states.set(name, alerts);
    this.notify(transitions, nowMs);
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = nowMs;
      await pruneHistory(this.options.db, nowMs - HISTORY_KEEP_MS);
    }
  }

  private notify(transitions: readonly Transition[], nowMs: number): void {
    const byName = new Map(this.rules.map((r) => [r.name, r]));
    const changes = transitions.filter(
      (t) => (t.from === 'pending' && t.to === 'firing') || (t.from === 'firing' && t.to === 'inactive'),
    );
    for (const receiver of this.receivers) {
      // Alertmanager forgets an alert not heard of by its endsAt: re-send every firing alert periodically.
      const resendMs = receiver.config.type === 'alertmanager' ? receiver.config.resendMs : undefined;
      const validMs = 4 * Math.max(resendMs ?? 0, this.options.config.intervalMs);
      const notices: Notice[] = [];
      for (const t of changes) {
        const rule = byName.get(t.rule);
        if (rule === undefined) continue;
        const firing = t.to === 'firing';
        // Prometheus' startsAt is when the alert fired; a resolved alert ends now.
        const endsAt = firing ? (resendMs === undefined ? undefined : nowMs + validMs) : t.timeMs;
        notices.push(this.notice(rule, t.labels, t.value, t.firedAtMs ?? t.activeAtMs, endsAt, firing));
      }
      if (resendMs !== undefined && nowMs - (this.lastResend.get(receiver) ?? -Infinity) >= resendMs) {
        this.lastResend.set(receiver, nowMs);
        const fresh = new Set(notices.map((n) => `${n.rule}${labelsKey(n.labels)}`));
        for (const rule of this.rules) {
          for (const a of this.states.get(rule.name)?.values() ?? []) {
            if (a.state !== 'firing') continue;
            const n = this.notice(
              rule,
              a.labels,
              a.value,
              a.firedAtMs ?? a.activeAtMs,
              nowMs + validMs,
              true,
            );
            if (!fresh.has(`${n.rule}${labelsKey(n.labels)}`)) notices.push(n);
          }
        }
      }
      if (notices.length > 0) receiver.send(notices);
    }
  }

  private notice(
    rule: AlertRule,
    labels: Labels,
    value: number,
    startsAtMs: number,
    endsAtMs: number | undefined,
    firing: boolean,
  ): Notice {
    return {
      status: firing ? 'firing' : 'resolved',
      rule: rule.name,
      severity: rule.severity,
      labels: { alertname: rule.name, severity: rule.severity, ...labels },
      annotations: {
        summary: renderTemplate(rule.annotations.summary, value, rule.unit, labels),
        description: renderTemplate(rule.annotations.description, value, rule.unit, labels),
      },
      value,
      startsAt: new Date(startsAtMs).toISOString(),
      endsAt: endsAtMs === undefined ? undefined : new Date(endsAtMs).toISOString(),
      generatorURL: `${this.externalUrl}/#/alerts`,
    };
  }
}
