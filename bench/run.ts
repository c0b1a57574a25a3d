/**
 * npm run bench [-- --backend cpu|wasm|webgpu] [--quick] [--no-write]
 *
 * Side by side in one process: tfjax eager, tf.js used directly on the same backend, jax-js
 * (its wasm device, in Node its fastest) and a hand-written JS loop. Prints medians with
 * interquartile ranges, the tfjax/tf.js ratios and whether the targets are met, then random
 * numbers per second (bench/random.ts), and writes bench/RESULTS.md.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import { fileURLToPath } from "node:url";
import type * as JaxJs from "@jax-js/jax";
import * as tf from "@tensorflow/tfjs-core";
import * as jax from "../src/index.js";
import { compilerTable, compilerTargets, compilerWorkloads } from "./compiler.js";
import { type Case, formatStats, measure, type Stats } from "./harness.js";
import { inferBench } from "./infer.js";
import {
  CHAIN_OPS,
  chainJaxJs,
  chainLoop,
  chainTf,
  chainTfjax,
  inputs,
  seluJaxJs,
  seluLoop,
  seluTf,
  seluTfjax,
} from "./peers.js";
import { randomChecks, randomRatios, randomTable, randomWorkloads } from "./random.js";

const jnp = jax.numpy;

// --- options ----------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
};
const backend = option("backend") ?? "cpu";
const quick = argv.includes("--quick");
const write = !argv.includes("--no-write");
if (!["cpu", "wasm", "webgpu"].includes(backend)) {
  console.error(`bench: unknown --backend '${backend}'; expected cpu, wasm or webgpu`);
  process.exit(2);
}
const sync = backend !== "webgpu";

// --- backends ---------------------------------------------------------------------------------
if (backend === "webgpu") process.env.EGL_PLATFORM ??= "surfaceless";
await jax.setDefaultBackend(backend); // loads the tf.js backend package (webgpu: sets up navigator.gpu)
if (!(await tf.setBackend(backend))) throw new Error(`tf.js backend '${backend}' failed to start`);

type JaxJsModule = typeof JaxJs;
async function loadJaxJs(): Promise<JaxJsModule | null> {
  try {
    (globalThis as { navigator?: object }).navigator ??= {};
    const mod = (await import("@jax-js/jax")) as JaxJsModule;
    await mod.init("wasm");
    mod.defaultDevice("wasm");
    return mod;
  } catch (e) {
    console.warn(`jax-js unavailable, its column is skipped: ${(e as Error).message}`);
    return null;
  }
}
const jaxjs = await loadJaxJs();
// tfjax grows a jit later; time it when it is there.
const jaxJit = (
  jax as unknown as { jit?: <F extends (...a: jax.JaxArray[]) => jax.JaxArray>(f: F) => F }
).jit;

const readTfjax = async (a: jax.JaxArray): Promise<number> =>
  (sync ? a.dataSync() : await a.data())[0]!;
/** Frees a tfjax result now (eager results are EagerArrays; tracers own no memory). */
const free = (a: jax.JaxArray): void => {
  if (a instanceof jax.EagerArray) a.dispose();
};
const readTf = async (t: tf.Tensor): Promise<number> =>
  (sync ? t.dataSync() : await t.data())[0] as number;

// --- workloads ----------------------------------------------------------------------------------
interface Row {
  workload: string;
  unit: string;
  stats: Stats[];
  /** Name of the case the ratios are taken against. */
  baseline: string;
  target?: { ratio: number; description: string };
  check?: string;
}
const rows: Row[] = [];

/** Largest relative difference of each peer's first values from the JS loop's. */
function agreement(reference: Float32Array, results: [string, ArrayLike<number>][]): string {
  const parts: string[] = [];
  for (const [name, values] of results) {
    let worst = 0;
    for (let i = 0; i < Math.min(8, reference.length); i++)
      worst = Math.max(
        worst,
        Math.abs(values[i]! - reference[i]!) / Math.max(1e-6, Math.abs(reference[i]!)),
      );
    parts.push(`${name} ${worst < 1e-3 ? "ok" : `DIFFERS (rel ${worst.toExponential(1)})`}`);
  }
  return parts.join(", ");
}

/** `iterations` dependent chains per repetition, one readback at the end; timed per op. */
async function chainWorkload(
  label: string,
  shape: number[],
  iterations: number,
  reps: number,
  target: Row["target"],
  noTidy = false,
) {
  const n = shape.reduce((a, b) => a * b, 1);
  const { x, y } = inputs(n);
  const xs = Array.from(x);
  const ys = Array.from(y);
  const jx = jnp.array(shape.length ? xs : xs[0]!, "float32").reshape(shape);
  const jy = jnp.array(shape.length ? ys : ys[0]!, "float32").reshape(shape);
  const tx = tf.tensor(x, shape, "float32");
  const ty = tf.tensor(y, shape, "float32");
  const np = jaxjs?.numpy;
  const kx = np?.array(x, { shape });
  const ky = np?.array(y, { shape });
  const out = new Float32Array(n);
  const units = iterations * CHAIN_OPS;

  const runTfjax = () =>
    jax.tidy(() => {
      let a = jx;
      for (let k = 0; k < iterations; k++) a = chainTfjax(a, jy);
      return a;
    });
  const runTf = () =>
    tf.tidy(() => {
      let a = tx;
      for (let k = 0; k < iterations; k++) a = chainTf(a, ty);
      return a;
    });
  const runJaxJs = () => {
    let a = kx!.ref;
    for (let k = 0; k < iterations; k++) a = chainJaxJs(np!, a, ky!);
    return a;
  };

  const noTidyCase: Case = {
    // Ordinary user code: no tidy, arrays are released by garbage collection (small arrays
    // only: unreleased 1e6-element temporaries would distort the other peers' timings).
    name: "tfjax",
    units,
    run: async () => {
      let a = jx;
      for (let k = 0; k < iterations; k++) a = chainTfjax(a, jy);
      await readTfjax(a);
    },
  };
  const cases: Case[] = [
    {
      name: "tfjax",
      units,
      run: async () => {
        const a = runTfjax();
        await readTfjax(a);
        free(a);
      },
    },
    {
      name: "tf.js",
      units,
      run: async () => {
        const t = runTf();
        await readTf(t);
        t.dispose();
      },
    },
  ];
  // Without tidy the release work is deferred to garbage collection, which then slows whatever
  // runs next; so this variant runs as its own, last workload and replaces the tidy case.
  if (noTidy) cases.splice(0, 1, { ...noTidyCase, name: "tfjax" });
  if (np) cases.push({ name: "jax-js", units, run: () => runJaxJs().dataSync()[0] });
  cases.push({ name: "JS loop", units, run: () => chainLoop(x, y, out, iterations)[0] });

  // Check that everyone computes the same thing before timing it.
  const reference = chainLoop(x, y, new Float32Array(n), iterations);
  const a = runTfjax();
  const t = runTf();
  const results: [string, ArrayLike<number>][] = [
    ["tfjax", await a.data()],
    ["tf.js", (await t.data()) as Float32Array],
  ];
  free(a);
  t.dispose();
  if (np) results.push(["jax-js", runJaxJs().dataSync() as Float32Array]);

  const stats = await measure(cases, {
    warmup: quick ? 2 : 5,
    warmupMs: quick ? 200 : 1000,
    reps: quick ? Math.ceil(reps / 3) : reps,
    minReps: 5,
    budgetMs: quick ? 3000 : 12000,
  });
  rows.push({
    workload: label,
    unit: "per op",
    stats,
    baseline: "tf.js",
    target,
    check: agreement(reference, results),
  });
  free(jx);
  free(jy);
  tx.dispose();
  ty.dispose();
  kx?.dispose();
  ky?.dispose();
}

async function seluWorkload(n: number, reps: number) {
  const { x } = inputs(n, 7);
  const jx = jnp.array(Array.from(x), "float32");
  const tx = tf.tensor(x, [n], "float32");
  const np = jaxjs?.numpy;
  const kx = np?.array(x, { shape: [n] });
  const out = new Float32Array(n);
  const seluJitJaxJs = jaxjs ? jaxjs.jit((v: JaxJs.Array) => seluJaxJs(jaxjs.numpy, v)) : null;
  const seluJitTfjax = jaxJit ? jaxJit(seluTfjax) : null;

  const cases: Case[] = [
    {
      name: "tfjax",
      run: async () => {
        const a = jax.tidy(() => seluTfjax(jx));
        await readTfjax(a);
        free(a);
      },
    },
  ];
  if (seluJitTfjax)
    cases.push({
      name: "tfjax jit",
      run: async () => {
        const a = jax.tidy(() => seluJitTfjax(jx));
        await readTfjax(a);
        free(a);
      },
    });
  cases.push(
    {
      name: "tf.js",
      run: async () => {
        const t = tf.tidy(() => seluTf(tx));
        await readTf(t);
        t.dispose();
      },
    },
    {
      name: "tf.selu",
      run: async () => {
        const t = tf.selu(tx);
        await readTf(t);
        t.dispose();
      },
    },
  );
  if (np) {
    cases.push({ name: "jax-js", run: () => seluJaxJs(np, kx!.ref).dataSync()[0] });
    cases.push({ name: "jax-js jit", run: () => seluJitJaxJs!(kx!.ref).dataSync()[0] });
  }
  cases.push({ name: "JS loop", run: () => seluLoop(x, out)[0] });

  const reference = seluLoop(x, new Float32Array(n));
  const a = seluTfjax(jx);
  const t = seluTf(tx);
  const results: [string, ArrayLike<number>][] = [
    ["tfjax", await a.data()],
    ["tf.js", (await t.data()) as Float32Array],
  ];
  free(a);
  t.dispose();
  if (np) results.push(["jax-js", seluJaxJs(np, kx!.ref).dataSync() as Float32Array]);

  const stats = await measure(cases, {
    warmup: quick ? 2 : 3,
    reps: quick ? 5 : reps,
    minReps: 5,
    budgetMs: quick ? 4000 : 15000,
  });
  rows.push({
    workload: `SELU, float32[${n.toExponential(0)}]`,
    unit: "per call",
    stats,
    baseline: "tf.js",
    check: agreement(reference, results),
  });
  seluJitJaxJs?.dispose();
  free(jx);
  tx.dispose();
  kx?.dispose();
}

const t0 = performance.now();
const SMALL_TARGET = { ratio: 1.5, description: "tfjax <= 1.5x tf.js per op" };
const LARGE_TARGET = { ratio: 1.1, description: "tfjax <= 1.10x tf.js" };
await chainWorkload("10-op chain x50, float32[16]", [16], 50, 40, SMALL_TARGET);
await chainWorkload("10-op chain x50, float32[] (scalar)", [], 50, 40, SMALL_TARGET);
await chainWorkload("10-op chain, float32[1e6]", [1_000_000], 1, 25, LARGE_TARGET);
await seluWorkload(1_000_000, 25);
// Before the no-tidy workload, whose deferred garbage collection would slow what follows it.
const { rows: randomRows, memory: randomMemory } = await randomWorkloads({
  jaxjs,
  quick,
  readTfjax,
  readTf,
  free,
});
const compilerRows = await compilerWorkloads({
  jaxjs,
  quick,
  backend,
  readTfjax,
  readTf,
  readsSync: sync,
  free,
});
// NUTS's trajectory is a whileLoop, whose predicate WebGPU in Node cannot read back.
const inferTables =
  backend === "webgpu"
    ? "Not run on webgpu: NUTS's trajectory loop reads its predicate on the host, which WebGPU in Node cannot."
    : await inferBench(quick, jaxjs);
await chainWorkload(
  "10-op chain x50, float32[16], tfjax without tidy",
  [16],
  50,
  40,
  SMALL_TARGET,
  true,
);
const elapsed = (performance.now() - t0) / 1000;

// --- report -----------------------------------------------------------------------------------
const ORDER = ["tfjax", "tfjax jit", "tf.js", "tf.selu", "jax-js", "jax-js jit", "JS loop"];
const present = new Set(rows.flatMap((r) => r.stats.map((s) => s.name)));
const names = ORDER.filter((n) => present.has(n));
const verdict = (r: Row): string => {
  if (!r.target) return "";
  const ratio = ratioOf(r, "tfjax");
  return ratio === undefined ? "" : ratio <= r.target.ratio ? "met" : "not met";
};
function ratioOf(r: Row, name: string): number | undefined {
  const s = r.stats.find((x) => x.name === name);
  const b = r.stats.find((x) => x.name === r.baseline);
  return s && b ? s.median / b.median : undefined;
}

function table(): string {
  const header = [
    "workload",
    "unit",
    ...names.map((n) => `${n} median [IQR]`),
    "tfjax / tf.js",
    "target",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const cells = names.map((n) => {
      const s = r.stats.find((x) => x.name === n);
      return s ? formatStats(s) : "–";
    });
    const ratio = ratioOf(r, "tfjax");
    const target = r.target ? `<= ${r.target.ratio}: **${verdict(r)}**` : "";
    lines.push(
      `| ${r.workload} | ${r.unit} | ${cells.join(" | ")} | ${ratio?.toFixed(2) ?? "–"} | ${target} |`,
    );
  }
  return lines.join("\n");
}

function ratiosToBaseline(): string {
  return rows
    .map(
      (r) =>
        `- ${r.workload}: ${r.stats.map((s) => `${s.name} ${(s.median / r.stats.find((b) => b.name === r.baseline)!.median).toFixed(2)}x`).join(", ")} (of ${r.baseline})`,
    )
    .join("\n");
}

const cpus = os.cpus();
const machine = `${cpus.length} x ${cpus[0]?.model.trim() ?? "unknown cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`;
const targetLines = rows
  .filter((r) => r.target)
  .map(
    (r) =>
      `- ${r.workload}: ${r.target!.description} — ratio ${ratioOf(r, "tfjax")?.toFixed(2)} — **${verdict(r)}**`,
  )
  .join("\n");
const checks = rows.map((r) => `- ${r.workload}: ${r.check}`).join("\n");

const randomIntro = `Draws per second (millions) from the median time per call, with the range that the
interquartile times give, and the time per call (median [IQR]) in brackets; each call includes a
readback. tfjax: \`random.uniform(key, [n])\` / \`random.normal(key, [n])\` from
\`random.PRNGKey(0)\` inside jax.tidy; tfjax jit: the same under \`jit\` with the shape static
(\`staticArgnums: [1]\`); tf.js: \`tf.randomUniform\` / \`tf.randomNormal\` (stateful, no keys);
jax-js: its \`random.uniform\` / \`random.normal\` (Box-Muller normal) from \`random.key(0)\`;
JS loop: Math.random into a Float32Array (Box-Muller for normal). vmap rows map a scalar draw
over 10,000 keys split once beforehand (\`vmap((k) => random.normal(k, []))(keys)\`; the jit
columns jit the vmapped function); tf.js, having no keys, makes one 10,000-element call.`;

const compilerIntro = `Cached jitted calls (traced and compiled once before timing), each including a readback,
against tf.js on the same backend, jax-js on its wasm device (eager and jit) and plain JS. On cpu
jit runs one generated JS program; on webgpu fused WGSL kernels; elsewhere the optimized Jaxpr op
by op. The scalar function is 20 dependent scalar ops (a small log-density), timed per call over
100 calls; logistic regression is \`jit(valueAndGrad(loglik))(w, X, y)\` against
\`tf.valueAndGrad\` and jax-js's \`jit(valueAndGrad)\`; the leapfrog loop is one jitted
\`lax.foriLoop\` of 1,000 velocity-Verlet steps with \`jax.grad\` of the log-density inside,
reported per step (jax-js has no foriLoop, so only the JS loop is its peer).`;

const section = `## Backend \`${backend}\`

Written by \`npm run bench${backend === "cpu" ? "" : ` -- --backend ${backend}`}\` (bench/run.ts); latest run on this backend.

- date: ${new Date().toISOString()}
- machine: ${machine}
- node: ${process.version}
- backend: tfjax and tf.js on tf.js \`${backend}\`; jax-js on its \`wasm\` device${jaxjs ? "" : " (not available in this run)"}; JS loop is plain typed-array code
- load average at the end (1/5/15 min): ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" / ")} — other processes on the machine add noise
- run time: ${elapsed.toFixed(0)} s${quick ? " (--quick)" : ""}

Medians with the interquartile range in brackets. Small-array chains run 50 dependent chains
(500 ops) per repetition with one readback at the end, reported per op; the 1e6 chain is one
chain (10 ops: tanh, add, mul, sub, exp, div, log, neg, abs, mul) plus a readback, reported
per op too. tfjax runs inside jax.tidy, tf.js inside tf.tidy; jax-js uses its .ref ownership.
Repetitions are interleaved round-robin across the peers.

${table()}

Ratios to ${rows[0]?.baseline}:
${ratiosToBaseline()}

### Targets
${targetLines}

### Result agreement (first 8 values vs the JS loop, relative 1e-3)
${checks}

### Random numbers

${randomIntro}

${randomTable(randomRows)}

Throughput ratios, tfjax's draws per second over the peer's (below 1: tfjax is slower):
${randomRatios(randomRows)}

Checks (moments of the draws: mean within 6 standard errors, sd within 6 of its standard errors):
${randomChecks(randomRows)}
- tf.js memory after the random workloads: ${randomMemory} (a fixed few are tfjax's cached scalar
  constants and jit traces; a per-call leak would grow with the repetitions)

### jit (the compiler)

${compilerIntro}

${compilerTable(compilerRows)}

Targets (issue 4) and agreement:
${compilerTargets(compilerRows)}

### Samplers

Random-walk Metropolis on the 4-component Gaussian mixture (loc -2, 0, 3.2, 2.5; scale 1.2, 1,
5, 2.8; weights .2, .3, .1, .4; step 2.5): tfjax runs \`jit(scan(vmap(rmh kernel)))\` with one
key per chain and step as blackjax does, jax-js one jitted step over all chains, the JS loop
Float64Array chains with Box-Muller normals. NUTS: numpyro-style driver, 4 chains, minimum bulk
ESS over parameters divided by the wall time of the whole run (warmup and tracing included).

${inferTables}
`;

console.log(`\nbackend ${backend}, ${machine}, node ${process.version}\n`);
console.log(table());
console.log(
  `\nRatios:\n${ratiosToBaseline()}\n\nTargets:\n${targetLines}\n\nAgreement:\n${checks}`,
);
console.log(`\nRandom numbers:\n\n${randomTable(randomRows)}`);
console.log(`\njit:\n\n${compilerTable(compilerRows)}\n\n${compilerTargets(compilerRows)}`);
console.log(`\nSamplers:\n\n${inferTables}`);
console.log(
  `\nThroughput ratios (tfjax draws/s over the peer's):\n${randomRatios(randomRows)}\n\nChecks:\n${randomChecks(randomRows)}\n- tf.js memory: ${randomMemory}\n\n(${elapsed.toFixed(0)} s)`,
);
if (write) {
  // One section per backend: a run replaces its own backend's section and keeps the others.
  const path = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
  const begin = `<!-- backend:${backend} -->`;
  const end = `<!-- /backend:${backend} -->`;
  const block = `${begin}\n${section}${end}\n`;
  const header =
    "# tfjax benchmark results\n\nNumbers vary between runs by roughly 10-20%; compare ratios measured in the same run.\n\n";
  const old = existsSync(path) ? readFileSync(path, "utf8") : header;
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  const next =
    i >= 0 && j > i
      ? old.slice(0, i) + block + old.slice(j + end.length + 1)
      : `${old.trimEnd()}\n\n${block}`;
  writeFileSync(path, next);
  console.log(`wrote ${path}`);
}
