/**
 * What jit buys, side by side (issue 4's cases): tfjax jit against tf.js used directly on the
 * same backend, jax-js (wasm device, with and without its jit) and a hand-written JS loop.
 * Run from bench/run.ts, which writes the section into bench/RESULTS.md.
 *
 * 1. SELU over 1e6 float32 (JAX's jit tutorial).
 * 2. A 20-op scalar function (a small log-density), one cached jitted call.
 * 3. value-and-grad of a logistic-regression log-likelihood, N = 10,000, D = 20.
 * 4. A foriLoop of 1,000 leapfrog steps on a 10-d Gaussian, per step.
 */

import type * as JaxJs from "@jax-js/jax";
import * as tf from "@tensorflow/tfjs-core";
import * as jax from "../src/index.js";
import { type Case, formatStats, type MeasureOptions, measure, type Stats } from "./harness.js";
import { inputs, seluJaxJs, seluLoop, seluTf, seluTfjax } from "./peers.js";

const jnp = jax.numpy;
const lax = jax.lax;
type JArray = jax.JaxArray;
type JsArray = JaxJs.Array;

export interface CompilerContext {
  jaxjs: typeof JaxJs | null;
  quick: boolean;
  backend: string;
  readTfjax: (a: JArray) => Promise<number>;
  readTf: (t: tf.Tensor) => Promise<number>;
  /** Whether the backend reads synchronously (all but webgpu in Node). */
  readsSync: boolean;
  free: (a: JArray) => void;
}

export interface Target {
  description: string;
  met: boolean;
}
export interface CompilerRow {
  workload: string;
  unit: string;
  stats: Stats[];
  targets: Target[];
  check: string;
}

const median = (stats: Stats[], name: string) => stats.find((s) => s.name === name)?.median;
/** `a` at most `factor` times `b` (both medians present), as a target line. */
function atMost(
  stats: Stats[],
  a: string,
  b: string,
  factor: number,
  description: string,
): Target[] {
  const x = median(stats, a);
  const y = median(stats, b);
  if (x === undefined || y === undefined) return [];
  return [{ description: `${description} (ratio ${(x / y).toFixed(2)})`, met: x <= factor * y }];
}
const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));

/**
 * `units` calls of `make`, each read and released. Where reads are synchronous they are read
 * synchronously (as jax-js's case does): an await per call would add a microtask turn to the
 * sub-microsecond calls measured.
 */
function repeatCalls<T>(
  units: number,
  sync: boolean,
  make: () => T,
  readSync: (t: T) => number,
  readAsync: (t: T) => Promise<number>,
  release: (t: T) => void,
): () => number | Promise<number> {
  if (sync)
    return () => {
      let s = 0;
      for (let i = 0; i < units; i++) {
        const t = make();
        s += readSync(t);
        release(t);
      }
      return s;
    };
  return async () => {
    let s = 0;
    for (let i = 0; i < units; i++) {
      const t = make();
      s += await readAsync(t);
      release(t);
    }
    return s;
  };
}

// --- 2. a 20-op scalar function --------------------------------------------------------------
/** y <- op(y, x), twenty times: the same sequence for every peer. */
const SCALAR_OPS = [
  "sub1",
  "square",
  "mulHalf",
  "subC",
  "addX",
  "sin",
  "mul2",
  "addX",
  "tanh",
  "mulX",
  "addHalf",
  "exp",
  "mul03",
  "subX",
  "abs",
  "add1",
  "log",
  "mulX",
  "neg",
  "addX",
] as const;
type ScalarOp = (typeof SCALAR_OPS)[number];

interface Ops<T> {
  /** A second reference to a value (jax-js consumes its operands). */
  ref: (a: T) => T;
  add: (a: T, b: T | number) => T;
  mul: (a: T, b: T | number) => T;
  unary: (name: "sin" | "tanh" | "exp" | "abs" | "log" | "neg", a: T) => T;
}
function scalarChain<T>(o: Ops<T>, x: T): T {
  const step = (y: T, op: ScalarOp): T => {
    switch (op) {
      case "sub1":
        return o.add(y, -1);
      case "square":
        return o.mul(y, y);
      case "mulHalf":
        return o.mul(y, -0.5);
      case "subC":
        return o.add(y, -0.919);
      case "addX":
        return o.add(y, x);
      case "mul2":
        return o.mul(y, 2);
      case "mulX":
        return o.mul(y, x);
      case "addHalf":
        return o.add(y, 0.5);
      case "mul03":
        return o.mul(y, 0.3);
      case "subX":
        return o.add(y, o.mul(o.ref(x), -1));
      case "add1":
        return o.add(y, 1);
      default:
        return o.unary(op, y);
    }
  };
  // subX is two ops (mul, add): the chain is 21 primitive ops, 20 steps.
  return SCALAR_OPS.reduce(step, o.ref(x));
}
const same = <T>(a: T) => a;
const tfjaxOps: Ops<JArray> = {
  ref: same,
  add: (a, b) => jnp.add(a, b),
  mul: (a, b) => jnp.multiply(a, b),
  unary: (name, a) =>
    ({ sin: jnp.sin, tanh: jnp.tanh, exp: jnp.exp, abs: jnp.abs, log: jnp.log, neg: jnp.negative })[
      name
    ](a),
};
const tfOps: Ops<tf.Tensor> = {
  ref: same,
  add: (a, b) => tf.add(a, b),
  mul: (a, b) => tf.mul(a, b),
  unary: (name, a) =>
    ({ sin: tf.sin, tanh: tf.tanh, exp: tf.exp, abs: tf.abs, log: tf.log, neg: tf.neg })[name](a),
};
const jsOps: Ops<number> = {
  ref: same,
  add: (a, b) => Math.fround(a + b),
  mul: (a, b) => Math.fround(a * b),
  unary: (name, a) => Math.fround(name === "neg" ? -a : Math[name](a)),
};
function jaxjsOps(np: typeof JaxJs.numpy): Ops<JsArray> {
  return {
    // jax-js consumes its arguments; x is read more than once, so every use takes a reference.
    ref: (a) => a.ref,
    add: (a, b) => np.add(a, typeof b === "number" ? b : b.ref),
    mul: (a, b) => np.multiply(a, typeof b === "number" ? b : b.ref),
    unary: (name, a) =>
      name === "neg"
        ? np.negative(a)
        : (np as unknown as Record<string, (x: JsArray) => JsArray>)[name]!(a),
  };
}

// --- 3. logistic regression ---------------------------------------------------------------------
const N = 10_000;
const D = 20;
function logisticData() {
  const { x } = inputs(N * D, 11);
  const X = x.map((v) => v * 2 - 1);
  const w = new Float32Array(D).map((_, j) => Math.sin(j) * 0.1);
  const y = new Float32Array(N).map((_, i) => {
    let z = 0;
    for (let j = 0; j < D; j++) z += X[i * D + j]! * Math.cos(j);
    return z > 0 ? 1 : 0;
  });
  return { X, y, w };
}
/** sum(y z - log(1 + exp(z))), z = X w: the log-likelihood of logistic regression. */
const logLikTfjax = (w: JArray, X: JArray, y: JArray) => {
  const z = jnp.matmul(X, w);
  return jnp.sum(jnp.subtract(jnp.multiply(y, z), jnp.log1p(jnp.exp(z))));
};
function logLikLoop(X: Float32Array, y: Float32Array, w: Float32Array, grad: Float32Array): number {
  let value = 0;
  grad.fill(0);
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let j = 0; j < D; j++) z += X[i * D + j]! * w[j]!;
    value += y[i]! * z - Math.log1p(Math.exp(z));
    const r = y[i]! - 1 / (1 + Math.exp(-z));
    for (let j = 0; j < D; j++) grad[j]! += r * X[i * D + j]!;
  }
  return value;
}

/**
 * tfjs-core's Node build registers no gradients (the @tensorflow/tfjs bundle does), so the
 * tf.valueAndGrad peer registers the few this log-likelihood needs: the usual rules.
 */
function registerTfGradients(): void {
  const rule = (kernelName: string, gradFunc: tf.GradFunc, inputsToSave: string[] = []) => {
    if (!tf.getGradient(kernelName)) tf.registerGradient({ kernelName, inputsToSave, gradFunc });
  };
  rule("Sum", (dy, saved) => ({ x: () => tf.mul(tf.onesLike(saved[0]!), dy as tf.Tensor) }), ["x"]);
  rule("Sub", (dy) => ({ a: () => dy as tf.Tensor, b: () => tf.neg(dy as tf.Tensor) }));
  rule(
    "Multiply",
    (dy, [a, b]) => ({
      a: () => tf.mul(dy as tf.Tensor, b!),
      b: () => tf.mul(dy as tf.Tensor, a!),
    }),
    ["a", "b"],
  );
  rule("Exp", (dy, [x]) => ({ x: () => tf.mul(dy as tf.Tensor, tf.exp(x!)) }), ["x"]);
  rule("Log1p", (dy, [x]) => ({ x: () => tf.div(dy as tf.Tensor, tf.add(x!, 1)) }), ["x"]);
  rule("Reshape", (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }), ["x"]);
  rule("Squeeze", (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x!.shape) }), ["x"]);
  rule(
    "BatchMatMul",
    (dy, [a, b]) => ({
      a: () => tf.matMul(dy as tf.Tensor, b!, false, true),
      b: () => tf.matMul(a!, dy as tf.Tensor, true, false),
    }),
    ["a", "b"],
  );
}

// --- 4. leapfrog ------------------------------------------------------------------------------------
const STEPS = 1000;
const DIM = 10;
const EPS = 0.01;
const SIGMA2 = Float32Array.from({ length: DIM }, (_, i) => 1 + i);
const gaussLogp = (x: JArray) =>
  jnp.multiply(-0.5, jnp.sum(jnp.divide(jnp.square(x), jnp.array(Array.from(SIGMA2)))));
function leapfrogTfjax(x0: JArray, p0: JArray): JArray[] {
  const g = jax.grad(gaussLogp);
  return lax.foriLoop(
    0,
    STEPS,
    (_i, [x, p]: JArray[]) => {
      const half = jnp.add(p!, jnp.multiply(0.5 * EPS, g(x!) as JArray));
      const xNew = jnp.add(x!, jnp.multiply(EPS, half));
      return [xNew, jnp.add(half, jnp.multiply(0.5 * EPS, g(xNew) as JArray))];
    },
    [x0, p0],
  ) as JArray[];
}
function leapfrogLoop(x: Float32Array, p: Float32Array): Float32Array {
  for (let s = 0; s < STEPS; s++) {
    for (let i = 0; i < DIM; i++) p[i] = p[i]! + 0.5 * EPS * (-x[i]! / SIGMA2[i]!);
    for (let i = 0; i < DIM; i++) x[i] = x[i]! + EPS * p[i]!;
    for (let i = 0; i < DIM; i++) p[i] = p[i]! + 0.5 * EPS * (-x[i]! / SIGMA2[i]!);
  }
  return x;
}

export async function compilerWorkloads(ctx: CompilerContext): Promise<CompilerRow[]> {
  const { jaxjs, quick, readTfjax, readTf, free } = ctx;
  const np = jaxjs?.numpy;
  const rows: CompilerRow[] = [];
  const opts = (reps: number, budgetMs: number): MeasureOptions => ({
    warmup: quick ? 2 : 5,
    warmupMs: quick ? 200 : 1000,
    reps: quick ? Math.ceil(reps / 3) : reps,
    minReps: 5,
    budgetMs: quick ? budgetMs / 4 : budgetMs,
  });

  // 1. SELU
  {
    const n = 1_000_000;
    const { x } = inputs(n, 7);
    const jx = jnp.array(Array.from(x));
    const tx = tf.tensor(x, [n]);
    const kx = np?.array(x, { shape: [n] });
    const seluJit = jax.jit(seluTfjax);
    const seluJaxJsJit = jaxjs ? jaxjs.jit((v: JsArray) => seluJaxJs(jaxjs.numpy, v)) : null;
    const out = new Float32Array(n);
    const reference = seluLoop(x, new Float32Array(n));
    const mine = seluJit(jx);
    const check = `tfjax jit vs JS loop: max rel diff ${Math.max(...Array.from((await mine.data()).slice(0, 8), (v, i) => relDiff(v, reference[i]!))).toExponential(1)}`;
    free(mine);
    const cases: Case[] = [
      {
        name: "tfjax jit",
        run: async () => {
          const a = seluJit(jx);
          await readTfjax(a);
          free(a);
        },
      },
      {
        name: "tf.js",
        run: async () => {
          const t = tf.tidy(() => seluTf(tx));
          await readTf(t);
          t.dispose();
        },
      },
    ];
    if (np) {
      cases.push({ name: "jax-js", run: () => seluJaxJs(np, kx!.ref).dataSync()[0] });
      cases.push({ name: "jax-js jit", run: () => seluJaxJsJit!(kx!.ref).dataSync()[0] });
    }
    cases.push({ name: "JS loop", run: () => seluLoop(x, out)[0] });
    const stats = await measure(cases, opts(25, 15000));
    rows.push({
      workload: "SELU, float32[1e6]",
      unit: "per call",
      stats,
      targets: [
        ...atMost(stats, "tfjax jit", "JS loop", 1.1, "tfjax jit within 1.1x of the JS loop"),
        ...atMost(
          stats,
          "tfjax jit",
          "jax-js jit",
          1 / 1.3,
          "tfjax jit at least 1.3x faster than jax-js jit",
        ),
      ],
      check,
    });
    free(jx);
    tx.dispose();
    kx?.dispose();
    seluJaxJsJit?.dispose();
  }

  // 2. 20-op scalar function
  {
    const f = jax.jit((x: JArray) => scalarChain(tfjaxOps, x));
    const jx = jnp.array(0.7);
    const tx = tf.scalar(0.7);
    const kx = np?.array(0.7);
    const fJaxJs = jaxjs ? jaxjs.jit((x: JsArray) => scalarChain(jaxjsOps(jaxjs.numpy), x)) : null;
    const reference = scalarChain(jsOps, Math.fround(0.7));
    const mine = (await f(jx).data())[0]!;
    const check = `tfjax jit ${mine.toPrecision(6)} vs JS ${reference.toPrecision(6)} (rel ${relDiff(mine, reference).toExponential(1)})`;
    const units = 100;
    const cases: Case[] = [
      {
        name: "tfjax jit",
        units,
        run: repeatCalls(
          units,
          ctx.readsSync,
          () => f(jx),
          (a) => a.dataSync()[0]!,
          readTfjax,
          free,
        ),
      },
      {
        name: "tf.js",
        units,
        run: repeatCalls(
          units,
          ctx.readsSync,
          () => tf.tidy(() => scalarChain(tfOps, tx)),
          (t) => t.dataSync()[0] as number,
          readTf,
          (t) => t.dispose(),
        ),
      },
    ];
    if (fJaxJs)
      cases.push({
        name: "jax-js jit",
        units,
        run: () => {
          let s = 0;
          for (let i = 0; i < units; i++) s += fJaxJs(kx!.ref).dataSync()[0]!;
          return s;
        },
      });
    cases.push({
      name: "JS loop",
      units,
      run: () => {
        let s = 0;
        for (let i = 0; i < units; i++) s += scalarChain(jsOps, 0.7 + i * 1e-9);
        return s;
      },
    });
    const stats = await measure(cases, opts(40, 8000));
    const call = median(stats, "tfjax jit");
    rows.push({
      workload: "20-op scalar function, cached jit call",
      unit: "per call",
      stats,
      targets: [
        ...(call === undefined
          ? []
          : [
              {
                description: `at most 5 us per call (${(call * 1e3).toFixed(2)} us)`,
                met: call <= 5e-3,
              },
            ]),
        ...atMost(stats, "tfjax jit", "jax-js jit", 1 / 5, "at least 5x faster than jax-js jit"),
        ...atMost(stats, "tfjax jit", "tf.js", 1 / 50, "at least 50x faster than tf.js eager"),
      ],
      check,
    });
    free(jx);
    tx.dispose();
    kx?.dispose();
    fJaxJs?.dispose();
  }

  // 3. logistic regression value and gradient
  {
    const { X, y, w } = logisticData();
    const jX = jnp.array(Array.from(X)).reshape([N, D]);
    const jy = jnp.array(Array.from(y));
    const jw = jnp.array(Array.from(w));
    const vg = jax.jit(jax.valueAndGrad(logLikTfjax));
    const tX = tf.tensor(X, [N, D]);
    const ty = tf.tensor(y, [N]);
    const tw = tf.tensor(w, [D]);
    registerTfGradients();
    const tfVg = tf.valueAndGrad((v: tf.Tensor) => {
      const z = tf.squeeze(tf.matMul(tX, tf.reshape(v, [D, 1])), [1]);
      return tf.sum(tf.sub(tf.mul(ty, z), tf.log1p(tf.exp(z))));
    });
    const kX = np?.array(X, { shape: [N, D] });
    const ky = np?.array(y, { shape: [N] });
    const kw = np?.array(w, { shape: [D] });
    const kvg = jaxjs
      ? jaxjs.jit(
          jaxjs.valueAndGrad((v: JsArray, Xa: JsArray, ya: JsArray) => {
            const n = jaxjs.numpy;
            const z = n.matmul(Xa, v);
            return n.sum(n.subtract(n.multiply(ya, z.ref), n.log1p(n.exp(z))));
          }),
        )
      : null;
    const gradRef = new Float32Array(D);
    const valueRef = logLikLoop(X, y, w, gradRef);
    const [value, grad] = vg(jw, jX, jy) as [JArray, JArray];
    const check = `value rel ${relDiff((await value.data())[0]!, valueRef).toExponential(1)}, grad[0] rel ${relDiff((await grad.data())[0]!, gradRef[0]!).toExponential(1)} vs the JS loop`;
    const cases: Case[] = [
      {
        name: "tfjax jit",
        run: async () => {
          const [v, g] = vg(jw, jX, jy) as [JArray, JArray];
          await readTfjax(g);
          const s = await readTfjax(v);
          free(v);
          free(g);
          return s;
        },
      },
      {
        name: "tf.js",
        run: async () => {
          const { value: v, grad: g } = tfVg(tw);
          await readTf(g);
          const s = await readTf(v);
          v.dispose();
          g.dispose();
          return s;
        },
      },
    ];
    if (kvg)
      cases.push({
        name: "jax-js jit",
        run: () => {
          const [v, g] = kvg(kw!.ref, kX!.ref, ky!.ref) as [JsArray, JsArray];
          g.dataSync();
          return v.dataSync()[0];
        },
      });
    const loopGrad = new Float32Array(D);
    cases.push({ name: "JS loop", run: () => logLikLoop(X, y, w, loopGrad) });
    const stats = await measure(cases, opts(25, 10000));
    rows.push({
      workload: `value-and-grad, logistic regression (N=${N}, D=${D})`,
      unit: "per call",
      stats,
      targets: [
        ...atMost(stats, "tfjax jit", "jax-js jit", 1, "faster than jax-js jit"),
        ...atMost(stats, "tfjax jit", "tf.js", 1, "faster than tf.valueAndGrad"),
      ],
      check,
    });
    for (const a of [jX, jy, jw]) free(a);
    for (const t of [tX, ty, tw]) t.dispose();
    for (const k of [kX, ky, kw]) k?.dispose();
    kvg?.dispose();
  }

  // 4. leapfrog
  {
    const run = jax.jit(leapfrogTfjax);
    const x0 = Float32Array.from({ length: DIM }, (_, i) => Math.cos(i));
    const p0 = Float32Array.from({ length: DIM }, (_, i) => Math.sin(i));
    const jx = jnp.array(Array.from(x0));
    const jp = jnp.array(Array.from(p0));
    const reference = leapfrogLoop(x0.slice(), p0.slice());
    const [xs] = run(jx, jp);
    const check = `x[0] rel ${relDiff((await xs!.data())[0]!, reference[0]!).toExponential(1)} vs the JS loop`;
    const cases: Case[] = [
      {
        name: "tfjax jit",
        units: STEPS,
        run: async () => {
          const outs = run(jx, jp);
          const s = await readTfjax(outs[0]!);
          outs.forEach(free);
          return s;
        },
      },
      { name: "JS loop", units: STEPS, run: () => leapfrogLoop(x0.slice(), p0.slice())[0] },
    ];
    const stats = await measure(cases, opts(30, 6000));
    rows.push({
      workload: `foriLoop of ${STEPS} leapfrog steps, ${DIM}-d Gaussian`,
      unit: "per step",
      stats,
      targets: atMost(
        stats,
        "tfjax jit",
        "JS loop",
        3,
        "per step within 3x of a hand-written JS leapfrog",
      ),
      check,
    });
    free(jx);
    free(jp);
  }
  return rows;
}

const ORDER = ["tfjax jit", "tf.js", "jax-js", "jax-js jit", "JS loop"];

export function compilerTable(rows: CompilerRow[]): string {
  const header = ["workload", "unit", ...ORDER.map((n) => `${n} median [IQR]`)];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const cells = ORDER.map((n) => {
      const s = r.stats.find((x) => x.name === n);
      return s ? formatStats(s) : "–";
    });
    lines.push(`| ${r.workload} | ${r.unit} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export function compilerTargets(rows: CompilerRow[]): string {
  return rows
    .flatMap((r) => [
      ...r.targets.map(
        (t) => `- ${r.workload}: ${t.description}: **${t.met ? "met" : "not met"}**`,
      ),
      `- ${r.workload}: agreement: ${r.check}`,
    ])
    .join("\n");
}
