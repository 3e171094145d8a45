import { dueInstances, type PollDeps, pollInstances } from './poller.js';

export interface PollProgress {
  running: boolean;
  paused: boolean;
  done: number;
  total: number;
  /** Instances whose last poll in this run failed. */
  failed: number;
  /** Why the last batch's results could not be saved (a full disk…); cleared by the next batch. */
  error?: string;
  /** Why what the polls had to send after them (alerts) was not sent; cleared when it is. */
  afterError?: string;
}

/**
 * Run after each batch, outside it: a slow receiver never holds polling up, and quitting waits for it
 * at most `AFTER_GRACE_MS`. It returns why it failed, or undefined; `signal` says polling stopped.
 */
export type AfterBatch = (signal: AbortSignal) => Promise<string | undefined>;
const AFTER_GRACE_MS = 1_000;

/**
 * Polling for the console: instances are polled when due, in the background; `pollNow` polls at
 * once; pause stops the timer (a running batch finishes). Progress is published to subscribers.
 */
export class BackgroundPoller {
  private progress: PollProgress = { running: false, paused: false, done: 0, total: 0, failed: 0 };
  private readonly listeners = new Set<(p: PollProgress) => void>();
  private timer?: NodeJS.Timeout;
  private queued: string[] = [];
  /** The instances of the batch being polled: asked for again meanwhile, they are not polled twice. */
  private current = new Set<string>();
  private running?: Promise<void>;

  private after?: Promise<void>;
  private afterAgain = false;
  private readonly stopped = new AbortController();

  constructor(
    private readonly deps: PollDeps & { afterBatch?: AfterBatch },
    private readonly checkEveryMs = 15_000,
  ) {}

  get state(): PollProgress {
    return this.progress;
  }

  subscribe(listener: (p: PollProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<PollProgress>): void {
    this.progress = { ...this.progress, ...patch };
    for (const l of this.listeners) l(this.progress);
  }

  start(): void {
    if (this.deps.store.readOnly) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped.abort();
  }

  togglePause(): void {
    this.set({ paused: !this.progress.paused });
  }

  private tick(): void {
    if (this.progress.paused) return;
    this.pollNow(dueInstances(this.deps.store.doc, Date.now()));
  }

  /** Poll these instances as soon as the current batch ends. */
  pollNow(ids?: readonly string[]): Promise<void> {
    if (this.deps.store.readOnly) return Promise.resolve();
    const want = ids ?? this.deps.store.doc.instances.map((i) => i.id);
    // Nothing due: no state change, so an idle console stays silent.
    if (want.length === 0) return this.running ?? Promise.resolve();
    for (const id of want) if (!this.current.has(id) && !this.queued.includes(id)) this.queued.push(id);
    if (!this.running) this.running = this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length > 0) {
        const batch = this.queued;
        this.queued = [];
        this.current = new Set(batch);
        const { error: _, ...rest } = this.progress;
        this.progress = rest;
        this.set({ running: true, done: 0, total: batch.length, failed: 0 });
        let failed = 0;
        let done = 0;
        try {
          await pollInstances(batch, {
            ...this.deps,
            onEvent: (e) => {
              if (e.type !== 'done') return;
              done++;
              if (e.outcome === 'error') failed++;
              this.set({ done, failed });
            },
          });
        } catch (error) {
          // Shown in the console; the instances stay due and are polled again at the next check.
          this.set({ error: (error as Error).message });
        }
      }
    } finally {
      this.current = new Set();
      this.running = undefined;
      this.set({ running: false });
    }
    this.runAfter();
  }

  /** One after-batch run at a time: a batch that ends meanwhile gets one more run after it. */
  private runAfter(): void {
    const after = this.deps.afterBatch;
    if (!after || this.stopped.signal.aborted) return;
    if (this.after) {
      this.afterAgain = true;
      return;
    }
    this.after = after(this.stopped.signal)
      .then(
        (why) => {
          if (why) this.set({ afterError: why });
          else if (this.progress.afterError) {
            const { afterError: _, ...rest } = this.progress;
            this.progress = rest;
            this.set({});
          }
        },
        (error: unknown) => this.set({ afterError: String(error) }),
      )
      .finally(() => {
        this.after = undefined;
        if (this.afterAgain) {
          this.afterAgain = false;
          this.runAfter();
        }
      });
  }

  /**
   * Wait for any running batch (on quit: never leave a half-done commit behind), and a moment for
   * what runs after it: an alert not marked sent by then is sent again next time, never lost.
   */
  async idle(): Promise<void> {
    await this.running;
    if (this.after)
      await Promise.race([this.after, new Promise((r) => setTimeout(r, AFTER_GRACE_MS).unref())]);
  }
}
