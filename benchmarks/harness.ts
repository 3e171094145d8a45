import { EventEmitter } from 'node:events';

/** Medians and percentiles over repeated runs: budgets are judged on these, never on one run. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export interface Measure {
  name: string;
  value: number;
  unit: string;
  /** The value must be at most this; a measure without one is reported only. */
  budget?: number;
  runs: number;
  note?: string;
}

export const pass = (m: Measure) => m.budget === undefined || m.value <= m.budget;

export function table(ms: Measure[]): string {
  const rows = ms.map((m) => [
    m.name,
    `${round(m.value)} ${m.unit}`,
    m.budget === undefined ? 'reported' : `<= ${m.budget} ${m.unit}`,
    String(m.runs),
    m.budget === undefined ? '—' : pass(m) ? 'PASS' : 'FAIL',
    m.note ?? '',
  ]);
  const head = ['measure', 'median', 'budget', 'runs', 'result', 'note'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(w[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export function round(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** A terminal-like stdout that records what Ink writes and when. */
export class FakeTty extends EventEmitter {
  isTTY = true;
  bytes = 0;
  writes: { at: number; bytes: number }[] = [];
  /** The last few kilobytes written, to check what the program shows. */
  tail = '';
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (chunk: string | Uint8Array, cb?: () => void) => {
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.bytes += n;
    this.writes.push({ at: performance.now(), bytes: n });
    this.tail = (this.tail + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())).slice(
      -8192,
    );
    cb?.();
    return true;
  };
  /** Wait until nothing has been written for `quietMs`. */
  async quiet(quietMs = 60): Promise<void> {
    for (;;) {
      const last = this.writes[this.writes.length - 1]?.at ?? 0;
      const wait = last + quietMs - performance.now();
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** A raw-mode stdin Ink can read keys from. */
export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  send(data: string) {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}
