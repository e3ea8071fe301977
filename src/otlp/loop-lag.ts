/**
 * How far behind the event loop runs. When more arrives than the process can decode, requests wait
 * in socket and HTTP/2 buffers before any handler sees them, where no queue of ccmon's can count them;
 * a timer that fires late measures that wait. While the lag is high, receivers refuse new exports
 * before decoding them, which costs next to nothing, so the loop catches up and answers stay prompt.
 */
export class LoopLag {
  private lagMs = 0;
  private readonly timer: NodeJS.Timeout;

  /**
   * @param limitMs the lag above which exports are refused
   * @param everyMs how often the loop is sampled
   */
  constructor(
    private readonly limitMs: number,
    everyMs = 50,
  ) {
    let expected = performance.now() + everyMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lagMs = Math.max(0, now - expected);
      expected = now + everyMs;
    }, everyMs);
    // A forgotten sampler must not keep a process alive.
    this.timer.unref();
  }

  /** Why an export would be refused now, if it would. */
  get overload(): string | undefined {
    return this.lagMs > this.limitMs
      ? `ccmon is behind: its event loop runs ${Math.round(this.lagMs)} ms late`
      : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
