/**
 * One receiver's outbox: notifications are delivered in order by one worker, retried with exponential
 * backoff, and dropped (oldest first) when more than `maxQueue` wait. `push` never waits, so a slow or
 * dead receiver cannot hold up evaluation or ingest.
 */

/** A failed delivery; `retry` false for answers that will not change (e.g. 400, 404). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

export interface QueueOptions {
  readonly maxQueue: number;
  /** first retry delay; doubles per attempt */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** a notification still undelivered this long after it was queued is dropped */
  readonly giveUpAfterMs?: number;
  readonly log: (line: string) => void;
}

interface Item<T> {
  readonly value: T;
  readonly queuedAtMs: number;
  attempts: number;
}

export interface QueueStats {
  readonly queued: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly dropped: number;
}

export class DeliveryQueue<T> {
  private readonly items: Item<T>[] = [];
  private current: Item<T> | undefined;
  private running = false;
  private closing = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();
  private delivered = 0;
  private failedAttempts = 0;
  private dropped = 0;

  constructor(
    private readonly name: string,
    private readonly deliver: (value: T) => Promise<void>,
    private readonly options: QueueOptions,
  ) {}

  push(value: T): void {
    if (this.closing) return;
    this.items.push({ value, queuedAtMs: Date.now(), attempts: 0 });
    while (this.items.length > this.options.maxQueue) {
      this.items.shift();
      this.dropped++;
      this.options.log(
        `alerts: receiver ${this.name}: queue full (${this.options.maxQueue}), dropped the oldest notification`,
      );
    }
    if (!this.running) {
      this.running = true;
      this.idle = this.run();
    }
  }

  stats(): QueueStats {
    return {
      queued: this.items.length + (this.current === undefined ? 0 : 1),
      delivered: this.delivered,
      failedAttempts: this.failedAttempts,
      dropped: this.dropped,
    };
  }

  /**
   * Takes nothing new and stops backing off: what is queued gets one more attempt within `graceMs`
   * (so a notification made just before shutdown still goes out), then the rest is dropped.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.wake?.();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.idle, new Promise<void>((r) => (timeout = setTimeout(r, graceMs)))]);
    clearTimeout(timeout);
    this.closed = true;
    const left = this.items.length + (this.current === undefined ? 0 : 1);
    if (left > 0) {
      this.options.log(`alerts: receiver ${this.name}: ${left} notification(s) undelivered at shutdown`);
      this.dropped += left;
      this.items.length = 0;
      this.current = undefined;
    }
  }

  private async run(): Promise<void> {
    const base = this.options.retryBaseMs ?? 1000;
    const max = this.options.retryMaxMs ?? 300_000;
    const giveUp = this.options.giveUpAfterMs ?? 3_600_000;
    while (!this.closed) {
      // The item in delivery leaves the queue, so an overflow meanwhile drops only waiting ones.
      const item = this.current ?? this.items.shift();
      if (item === undefined) break;
      this.current = item;
      try {
        item.attempts++;
        await this.deliver(item.value);
        this.delivered++;
        this.current = undefined;
      } catch (error) {
        this.failedAttempts++;
        const retry = !(error instanceof DeliveryError) || error.retry;
        const message = error instanceof Error ? error.message : String(error);
        if (!retry || this.closing || Date.now() - item.queuedAtMs > giveUp) {
          this.options.log(`alerts: receiver ${this.name}: giving up on a notification: ${message}`);
          this.dropped++;
          this.current = undefined;
          continue;
        }
        const delay = Math.min(max, base * 2 ** (item.attempts - 1));
        this.options.log(
          `alerts: receiver ${this.name}: ${message}; retrying in ${Math.round(delay / 100) / 10} s`,
        );
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, delay);
        });
        this.wake = undefined;
      }
    }
    this.running = false;
  }
}
