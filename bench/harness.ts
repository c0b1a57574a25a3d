/** A small timing harness: warmup, then round-robin repetitions, median and interquartile range. */

export interface Case {
  /** Column label (e.g. "tfjax", "tf.js", "jax-js", "JS loop"). */
  name: string;
  /** One repetition; must include reading back a value so lazy or asynchronous work is counted. */
  run: () => unknown | Promise<unknown>;
  /** Units of work per repetition (ops, chains): times are reported per unit. */
  units?: number;
}

export interface Stats {
  name: string;
  /** Per unit, in milliseconds. */
  median: number;
  q1: number;
  q3: number;
  reps: number;
}

export interface MeasureOptions {
  warmup: number;
  /** Keep warming up each case until this much time has passed (lets V8 tier up the hot paths). */
  warmupMs?: number;
  reps: number;
  /** Stop early once every case has this many reps and the total time exceeds budgetMs. */
  minReps?: number;
  budgetMs?: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Runs the cases round-robin (one repetition of each per round), so drift in machine speed or
 * garbage collection pressure spreads evenly over the peers instead of favouring one.
 */
export async function measure(cases: Case[], opts: MeasureOptions): Promise<Stats[]> {
  for (const c of cases) {
    const begin = performance.now();
    for (let i = 0; i < opts.warmup || performance.now() - begin < (opts.warmupMs ?? 0); i++)
      await c.run();
  }
  const samples = cases.map(() => [] as number[]);
  const start = performance.now();
  for (let r = 0; r < opts.reps; r++) {
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      await c.run();
      samples[i]!.push((performance.now() - t0) / (c.units ?? 1));
    }
    if (opts.budgetMs && r + 1 >= (opts.minReps ?? 5) && performance.now() - start > opts.budgetMs)
      break;
  }
  return cases.map((c, i) => {
    const s = samples[i]!.sort((a, b) => a - b);
    return {
      name: c.name,
      median: quantile(s, 0.5),
      q1: quantile(s, 0.25),
      q3: quantile(s, 0.75),
      reps: s.length,
    };
  });
}

/** Formats milliseconds with a unit that keeps 3 significant digits readable. */
export function formatTime(ms: number): string {
  if (ms < 1e-3) return `${(ms * 1e6).toPrecision(3)} ns`;
  if (ms < 1) return `${(ms * 1e3).toPrecision(3)} us`;
  if (ms < 1e3) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1e3).toPrecision(3)} s`;
}

export function formatStats(s: Stats): string {
  return `${formatTime(s.median)} [${formatTime(s.q1)}..${formatTime(s.q3)}]`;
}

/**
 * Throughput from per-repetition times: `perRep` items (draws) per repetition, in millions per
 * second, the median with the range that the interquartile times give (slowest..fastest).
 */
export function formatRate(s: Stats, perRep: number): string {
  const rate = (ms: number) => (perRep / ms / 1e3).toPrecision(3);
  return `${rate(s.median)} M/s [${rate(s.q3)}..${rate(s.q1)}]`;
}
