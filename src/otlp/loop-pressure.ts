import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface LoopPressureLimits {
  /** Refuse while a timer fires more than this late: the loop is stuck in long synchronous work. */
  readonly maxLagMs: number;
  /**
   * Refuse while the loop was busy more than this share of the last `windowMs` (1: never). Requests
   * that arrive faster than the process can decode them wait in socket buffers, where no queue of
   * ccmon's counts them and the timer lag stays small (the loop keeps turning, just never catches up):
   * the busy share is what shows it. The same signal as @fastify/under-pressure's
   * maxEventLoopUtilization.
   */
  readonly maxUtilization: number;
  readonly windowMs: number;
}

/**
 * How hard pressed the event loop is. While it is, receivers refuse new exports before decoding them
 * (503 / UNAVAILABLE with a retry hint), which costs next to nothing, so the loop catches up and
 * answers stay prompt instead of waiting until the clients' deadlines pass.
 */
export class LoopPressure {
  private lagMs = 0;
  /** Utilization snapshots, oldest first: the oldest is the last one at least a window old. */
  private readonly snapshots: { readonly at: number; readonly elu: EventLoopUtilization }[] = [];
  private readonly timer: NodeJS.Timeout;

  /** @param everyMs how often the loop is sampled */
  constructor(
    private readonly limits: LoopPressureLimits,
    everyMs = 50,
  ) {
    this.reset();
    let expected = performance.now() + everyMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lagMs = Math.max(0, now - expected);
      expected = now + everyMs;
      this.snapshots.push({ at: now, elu: performance.eventLoopUtilization() });
      while ((this.snapshots[1]?.at ?? now) <= now - limits.windowMs) this.snapshots.shift();
    }, everyMs);
    // A forgotten sampler must not keep a process alive.
    this.timer.unref();
  }

  /**
   * Starts the utilization window afresh: called when serving starts, so that the start-up's own work
   * (opening the store, loading keys) is not taken for clients' load.
   */
  reset(): void {
    this.snapshots.length = 0;
    this.snapshots.push({ at: performance.now(), elu: performance.eventLoopUtilization() });
  }

  /** Share of the last window (up to now) the event loop spent running code. */
  get utilization(): number {
    const [oldest] = this.snapshots;
    return oldest === undefined ? 0 : performance.eventLoopUtilization(oldest.elu).utilization;
  }

  /** Why an export would be refused now, if it would. */
  get overload(): string | undefined {
    if (this.lagMs > this.limits.maxLagMs)
      return `ccmon is behind: its event loop runs ${Math.round(this.lagMs)} ms late`;
    // Only over a whole window: a single busy moment is no saturation.
    const since = this.snapshots[0]?.at ?? performance.now();
    if (this.limits.maxUtilization < 1 && performance.now() - since >= this.limits.windowMs) {
      const busy = this.utilization;
      if (busy > this.limits.maxUtilization)
        return `ccmon is saturated: its event loop was busy ${Math.round(busy * 100)}% of the last ${this.limits.windowMs} ms`;
    }
    return undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
