/**
 * Random numbers per second, side by side: tfjax's jax.random (eager, and under jit with the
 * shape static), tf.js's own random ops (stateful, no keys), jax-js's jax.random and a JS loop
 * over Math.random as the practical floor. Run from bench/run.ts, which writes the section.
 *
 * Workloads: 1e6 uniform and 1e6 normal float32 draws from one key, and a vmap over 10,000 keys
 * (one scalar draw per key; the keys are split once, outside the timing). tf.js has no keys, so
 * its vmap reference is a single 10,000-element call.
 */

import type * as JaxJs from "@jax-js/jax";
import * as tf from "@tensorflow/tfjs-core";
import * as jax from "../src/index.js";
import {
  type Case,
  formatRate,
  formatStats,
  type MeasureOptions,
  measure,
  type Stats,
} from "./harness.js";
import { normalLoop, uniformLoop } from "./peers.js";

const random = jax.random;
type JArray = jax.JaxArray;
type JsArray = JaxJs.Array;

export interface RandomContext {
  jaxjs: typeof JaxJs | null;
  quick: boolean;
  readTfjax: (a: JArray) => Promise<number>;
  readTf: (t: tf.Tensor) => Promise<number>;
  free: (a: JArray) => void;
}

export interface RandomRow {
  workload: string;
  /** Draws per repetition. */
  draws: number;
  stats: Stats[];
  check: string;
}

type Dist = "uniform" | "normal";
const MOMENTS: Record<Dist, { mean: number; sd: number; lo: number; hi: number }> = {
  uniform: { mean: 0.5, sd: Math.sqrt(1 / 12), lo: 0, hi: 1 },
  normal: { mean: 0, sd: 1, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY },
};

/**
 * Whether the draws look like the distribution: mean within 6 standard errors, standard
 * deviation within 6 of its standard errors (about sd / sqrt(2n)), uniform draws in [0, 1).
 */
function momentsCheck(dist: Dist, values: ArrayLike<number>): string {
  const { mean, sd, lo, hi } = MOMENTS[dist];
  const n = values.length;
  let s = 0;
  let s2 = 0;
  let outside = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    s += v;
    s2 += v * v;
    if (!(v >= lo && v < hi)) outside++;
  }
  const m = s / n;
  const sdHat = Math.sqrt(Math.max(0, s2 / n - m * m));
  const ok =
    Math.abs(m - mean) < (6 * sd) / Math.sqrt(n) &&
    Math.abs(sdHat - sd) < (6 * sd) / Math.sqrt(2 * n) &&
    outside === 0;
  return `${ok ? "ok" : "OFF"} (mean ${m.toFixed(4)}, sd ${sdHat.toFixed(4)}${outside ? `, ${outside} outside [${lo}, ${hi})` : ""})`;
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>, count = 8): boolean {
  for (let i = 0; i < Math.min(count, a.length, b.length); i++) if (a[i] !== b[i]) return false;
  return a.length > 0 && b.length > 0;
}

const millions = (n: number) => (n >= 1e6 ? `${n / 1e6}e6` : n.toLocaleString("en-US"));

/** Runs the random workloads; `memory` is what tf.js holds afterwards beyond what it held before. */
export async function randomWorkloads(
  ctx: RandomContext,
): Promise<{ rows: RandomRow[]; memory: string }> {
  const { jaxjs, quick, readTfjax, readTf, free } = ctx;
  const rows: RandomRow[] = [];
  const jr = jaxjs?.random;
  const memoryAtStart = tf.memory();
  // Everything tfjax creates outside the timed cases goes through tidy too (eager temporaries
  // left to garbage collection would muddle the memory check at the end).
  const key = jax.tidy(() => random.PRNGKey(0));
  const kkey = jr?.key(0);

  /** One workload: the same draws from every peer, checked, then timed round-robin. */
  async function workload(
    label: string,
    dist: Dist,
    draws: number,
    peers: {
      tfjax: () => JArray;
      tfjaxJit: () => JArray;
      tf: () => tf.Tensor;
      jaxjs?: () => JsArray;
      jaxjsJit?: () => JsArray;
      loop: (out: Float32Array) => Float32Array;
      /** Extra agreement checks on the tfjax values. */
      extra?: (tfjax: Float32Array, jaxjs: Float32Array | null) => string[] | Promise<string[]>;
    },
    opts: MeasureOptions,
  ) {
    const out = new Float32Array(draws);
    const tfjaxCase = (name: string, f: () => JArray): Case => ({
      name,
      run: async () => {
        const a = jax.tidy(f);
        await readTfjax(a);
        free(a);
      },
    });
    const cases: Case[] = [
      tfjaxCase("tfjax", peers.tfjax),
      tfjaxCase("tfjax jit", peers.tfjaxJit),
      {
        name: "tf.js",
        run: async () => {
          const t = tf.tidy(peers.tf);
          await readTf(t);
          t.dispose();
        },
      },
    ];
    // jax-js: dataSync reads and releases the result.
    if (peers.jaxjs) cases.push({ name: "jax-js", run: () => peers.jaxjs!().dataSync()[0] });
    if (peers.jaxjsJit)
      cases.push({ name: "jax-js jit", run: () => peers.jaxjsJit!().dataSync()[0] });
    cases.push({ name: "JS loop", run: () => peers.loop(out)[0] });

    // Check every peer's draws before timing them.
    const eager = jax.tidy(peers.tfjax);
    const jitted = jax.tidy(peers.tfjaxJit);
    const t = tf.tidy(peers.tf);
    const tfjaxValues = (await eager.data()) as Float32Array;
    const jitValues = (await jitted.data()) as Float32Array;
    const parts = [
      `tfjax ${momentsCheck(dist, tfjaxValues)}`,
      `tfjax jit ${sameValues(tfjaxValues, jitValues, draws) ? "same values as eager" : "DIFFERS from eager"}`,
      `tf.js ${momentsCheck(dist, (await t.data()) as Float32Array)}`,
    ];
    free(eager);
    free(jitted);
    t.dispose();
    let jaxjsValues: Float32Array | null = null;
    if (peers.jaxjs) {
      jaxjsValues = peers.jaxjs().dataSync() as Float32Array;
      parts.push(`jax-js ${momentsCheck(dist, jaxjsValues)}`);
    }
    parts.push(`JS loop ${momentsCheck(dist, peers.loop(new Float32Array(draws)))}`);
    if (peers.extra) parts.push(...(await peers.extra(tfjaxValues, jaxjsValues)));

    const stats = await measure(cases, opts);
    rows.push({ workload: label, draws, stats, check: parts.join("; ") });
  }

  // --- 1e6 draws from one key ---------------------------------------------------------------
  const N = 1_000_000;
  const uniformJit = jax.jit((k: JArray, shape: number[]) => random.uniform(k, shape), {
    staticArgnums: [1],
  });
  const normalJit = jax.jit((k: JArray, shape: number[]) => random.normal(k, shape), {
    staticArgnums: [1],
  });
  // One call of tfjax normal takes over a second on the cpu backend: few repetitions.
  const large = (reps: number, budgetMs: number): MeasureOptions => ({
    warmup: quick ? 1 : 2,
    reps: quick ? 3 : reps,
    minReps: quick ? 3 : 5,
    budgetMs: quick ? budgetMs / 4 : budgetMs,
  });
  await workload(
    `uniform, float32[${millions(N)}]`,
    "uniform",
    N,
    {
      tfjax: () => random.uniform(key, [N]),
      tfjaxJit: () => uniformJit(key, [N]),
      tf: () => tf.randomUniform([N]),
      jaxjs: jr && (() => jr.uniform(kkey!.ref, [N])),
      loop: uniformLoop,
      // jax-js follows JAX's threefry bits too, so the two uniform streams must agree exactly.
      extra: (a, b) =>
        b ? [`tfjax = jax-js: ${sameValues(a, b, N) ? "yes, bit for bit" : "NO"}`] : [],
    },
    large(15, 12000),
  );
  await workload(
    `normal, float32[${millions(N)}]`,
    "normal",
    N,
    {
      tfjax: () => random.normal(key, [N]),
      tfjaxJit: () => normalJit(key, [N]),
      tf: () => tf.randomNormal([N]),
      jaxjs: jr && (() => jr.normal(kkey!.ref, [N])),
      loop: normalLoop,
    },
    large(10, 20000),
  );

  // --- vmap over 10,000 keys, one scalar draw per key --------------------------------------------
  const K = 10_000;
  const keys = jax.tidy(() => random.split(key, K) as JArray);
  const kkeys = jr?.split(kkey!.ref, K);
  const small: MeasureOptions = {
    warmup: quick ? 2 : 5,
    warmupMs: quick ? 200 : 1000,
    reps: quick ? 10 : 40,
    minReps: 5,
    budgetMs: quick ? 2000 : 8000,
  };
  for (const dist of ["normal", "uniform"] as const) {
    const draw = (k: JArray) => (dist === "normal" ? random.normal(k, []) : random.uniform(k, []));
    const batched = jax.vmap(draw);
    const batchedJit = jax.jit(jax.vmap(draw));
    const jsDraw = (k: JsArray) => (dist === "normal" ? jr!.normal(k, []) : jr!.uniform(k, []));
    const jsBatchedJit = jaxjs && jr ? jaxjs.jit(jaxjs.vmap(jsDraw)) : null;
    await workload(
      `vmap ${dist} over ${millions(K)} keys`,
      dist,
      K,
      {
        tfjax: () => batched(keys) as JArray,
        tfjaxJit: () => batchedJit(keys) as JArray,
        tf: () => (dist === "normal" ? tf.randomNormal([K]) : tf.randomUniform([K])),
        jaxjs: jaxjs && jr ? () => jaxjs.vmap(jsDraw)(kkeys!.ref) : undefined,
        jaxjsJit: jsBatchedJit ? () => jsBatchedJit(kkeys!.ref) : undefined,
        loop: dist === "normal" ? normalLoop : uniformLoop,
        // Each mapped draw must be the draw from its own key.
        extra: async (a, b) => {
          const single: number[] = [];
          for (const i of [0, 1, K - 1]) {
            const d = jax.tidy(() => draw(jax.numpy.take(keys, i, { axis: 0 })));
            single.push((await d.data())[0]!);
            free(d);
          }
          const perKey = [0, 1, K - 1].every((i, j) => a[i] === single[j]);
          const parts = [`tfjax vmap = per-key draws: ${perKey ? "yes" : "NO"}`];
          if (b && dist === "uniform")
            parts.push(`tfjax = jax-js: ${sameValues(a, b, K) ? "yes, bit for bit" : "NO"}`);
          return parts;
        },
      },
      small,
    );
    jsBatchedJit?.dispose();
  }

  free(keys);
  free(key);
  kkeys?.dispose();
  kkey?.dispose();
  const memory = tf.memory();
  const tensors = memory.numTensors - memoryAtStart.numTensors;
  const bytes = memory.numBytes - memoryAtStart.numBytes;
  return {
    rows,
    memory: `${tensors} tensors, ${bytes} bytes more than before the random workloads`,
  };
}

// --- report -----------------------------------------------------------------------------------
const ORDER = ["tfjax", "tfjax jit", "tf.js", "jax-js", "jax-js jit", "JS loop"];

export function randomTable(rows: RandomRow[]): string {
  const present = new Set(rows.flatMap((r) => r.stats.map((s) => s.name)));
  const names = ORDER.filter((n) => present.has(n));
  const header = [
    "workload",
    "draws per call",
    ...names.map((n) => `${n}: draws/s [IQR] (time per call)`),
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const cells = names.map((n) => {
      const s = r.stats.find((x) => x.name === n);
      return s ? `${formatRate(s, r.draws)} (${formatStats(s)})` : "–";
    });
    lines.push(`| ${r.workload} | ${r.draws.toLocaleString("en-US")} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Throughput ratios: tfjax's draws per second over each other peer's (below 1: tfjax slower). */
export function randomRatios(rows: RandomRow[]): string {
  return rows
    .map((r) => {
      const parts: string[] = [];
      for (const mine of r.stats.filter((s) => s.name.startsWith("tfjax")))
        for (const peer of r.stats.filter((s) => !s.name.startsWith("tfjax")))
          parts.push(`${mine.name} / ${peer.name} ${(peer.median / mine.median).toFixed(3)}x`);
      return `- ${r.workload}: ${parts.join(", ")}`;
    })
    .join("\n");
}

export function randomChecks(rows: RandomRow[]): string {
  return rows.map((r) => `- ${r.workload}: ${r.check}`).join("\n");
}
