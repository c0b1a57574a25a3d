/**
 * Sampler throughput, run by `npm run bench` (bench/run.ts) and standalone with
 * `npx tsx bench/infer.ts [--quick]`.
 *
 * 1. Random-walk Metropolis on the 4-component Gaussian mixture (loc [-2, 0, 3.2, 2.5], scale
 *    [1.2, 1, 5, 2.8], weights [.2, .3, .1, .4]) with 1e3 .. 1e6 chains: chain-steps per second
 *    for tfjax (jit of a scan over steps of vmap(rmh kernel), one key per chain and step, as
 *    blackjax), jax-js (jit of one step over a [chains] array, one key per step), and a JS loop
 *    (Float64Array chains, Box-Muller normals from Math.random).
 * 2. NUTS effective samples per second (minimum bulk ESS over parameters / wall time of the
 *    whole run, warmup and tracing included) on eight schools (non-centered) and a 100-d Gaussian.
 */
import { pathToFileURL } from "node:url";
import type * as JaxJs from "@jax-js/jax";
import * as jax from "../src/index.js";
import type { RMHState } from "../src/infer/rmh.js";
import type { AnyLogdensityFn } from "../src/infer/samplers.js";
import type { KeyLike } from "../src/random/keys.js";

const { infer, numpy: jnp, random, lax } = jax;
type Arr = jax.Array;
const quickFlag = process.argv.includes("--quick");

const LOC = [-2, 0, 3.2, 2.5];
const SCALE = [1.2, 1, 5, 2.8];
const WEIGHTS = [0.2, 0.3, 0.1, 0.4];
const STEP = 2.5;

function mixtureTfjax(x: Arr): Arr {
  const z = jnp.divide(jnp.subtract(x, jnp.array(LOC)), jnp.array(SCALE));
  const logw = jnp.subtract(jnp.log(jnp.array(WEIGHTS)), jnp.log(jnp.array(SCALE)));
  return jax.nn.logsumexp(jnp.subtract(logw, jnp.multiply(0.5, jnp.square(z))));
}

function rmhTfjax(chains: number, steps: number) {
  const kernel = infer.rmh.buildKernel();
  const step = jax.vmap((k: KeyLike, s: RMHState<Arr>) =>
    kernel(k, s, mixtureTfjax, { scale: STEP }),
  );
  const run = jax.jit((key: KeyLike, x: Arr, logdensity: Arr) => {
    const [out] = lax.scan(
      (s: RMHState<Arr>, k: KeyLike) => [step(random.split(k, chains), s)[0], null],
      { position: x, logdensity },
      random.split(key, steps),
    );
    return out as unknown as jax.PyTree;
  });
  const x0 = random.normal(random.key(1), [chains]);
  let state = { position: x0, logdensity: jax.vmap(mixtureTfjax)(x0) as Arr };
  let key = random.key(0);
  return () => {
    const [k1, k2] = [...(random.split(key) as Iterable<KeyLike>)];
    key = k1 as typeof key;
    state = run(k2!, state.position, state.logdensity) as unknown as typeof state;
    return (state.position.dataSync() as Float32Array)[0]!;
  };
}

function rmhLoop(chains: number, steps: number) {
  const x = new Float64Array(chains).map(() => 3 * (Math.random() - 0.5));
  const logw = WEIGHTS.map((w, k) => Math.log(w) - Math.log(SCALE[k]!));
  const logp = (v: number) => {
    let m = Number.NEGATIVE_INFINITY;
    const t = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const z = (v - LOC[k]!) / SCALE[k]!;
      t[k] = logw[k]! - 0.5 * z * z;
      if (t[k]! > m) m = t[k]!;
    }
    let s = 0;
    for (let k = 0; k < 4; k++) s += Math.exp(t[k]! - m);
    return m + Math.log(s);
  };
  const lp = Float64Array.from(x, logp);
  return () => {
    for (let s = 0; s < steps; s++)
      for (let c = 0; c < chains; c++) {
        const normal =
          Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
        const y = x[c]! + STEP * normal;
        const ly = logp(y);
        if (Math.log(Math.random()) < ly - lp[c]!) {
          x[c] = y;
          lp[c] = ly;
        }
      }
    return x[0]!;
  };
}

async function loadJaxJs(): Promise<typeof JaxJs | null> {
  try {
    (globalThis as { navigator?: object }).navigator ??= {};
    const mod = (await import("@jax-js/jax")) as typeof JaxJs;
    await mod.init("wasm");
    mod.defaultDevice("wasm");
    return mod;
  } catch (e) {
    console.warn(`jax-js unavailable, its column is skipped: ${(e as Error).message}`);
    return null;
  }
}

/** jax-js: one jitted step over all chains as one array (jax-js's .ref ownership rules apply). */
function rmhJaxJs(js: typeof JaxJs, chains: number, steps: number) {
  const np = js.numpy;
  const loc = np.array(LOC);
  const scale = np.array(SCALE);
  const logw = np.subtract(np.log(np.array(WEIGHTS)), np.log(scale.ref));
  const logp = (x: JaxJs.Array) => {
    const z = np.divide(np.subtract(np.expandDims(x, -1), loc.ref), scale.ref);
    const t = np.subtract(logw.ref, np.multiply(0.5, np.square(z)));
    const m = np.max(t.ref, -1);
    return np.add(m.ref, np.log(np.sum(np.exp(np.subtract(t, np.expandDims(m, -1))), -1)));
  };
  const step = js.jit((key: JaxJs.Array, x: JaxJs.Array, lp: JaxJs.Array) => {
    const [k1, k2] = js.random.split(key, 2) as unknown as JaxJs.Array[];
    const y = np.add(x.ref, np.multiply(STEP, js.random.normal(k1!, [chains])));
    const ly = logp(y.ref);
    const accept = np.less(np.log(js.random.uniform(k2!, [chains])), np.subtract(ly.ref, lp.ref));
    return [np.where(accept.ref, y, x), np.where(accept, ly, lp)];
  });
  let x = js.random.normal(js.random.key(1), [chains]);
  let lp = logp(x.ref);
  let key = js.random.key(0);
  return () => {
    for (let s = 0; s < steps; s++) {
      const [next, k] = js.random.split(key, 2) as unknown as JaxJs.Array[];
      key = next!;
      [x, lp] = step(k!, x, lp) as unknown as [JaxJs.Array, JaxJs.Array];
    }
    return (x.ref.dataSync() as Float32Array)[0]!;
  };
}

function time(fn: () => unknown, minMs: number): number {
  fn(); // warm (traces and compiles)
  let reps = 0;
  const start = performance.now();
  while (reps < 2 || performance.now() - start < minMs) {
    fn();
    reps++;
  }
  return (performance.now() - start) / reps;
}

const fmt = (perSecond: number) =>
  perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : `${(perSecond / 1e3).toFixed(1)} k`;

// --- NUTS ESS/s --------------------------------------------------------------------------------
const y = jnp.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = jnp.array([15, 10, 16, 11, 9, 11, 10, 18]);
const sq = (x: Arr, s: Arr | number) => jnp.sum(jnp.multiply(-0.5, jnp.square(jnp.divide(x, s))));
function eightSchools(p: { mu: Arr; logTau: Arr; thetaTilde: Arr }): Arr {
  const tau = jnp.exp(p.logTau);
  const theta = jnp.add(p.mu, jnp.multiply(tau, p.thetaTilde));
  return jnp.sum(
    jnp.stack([
      sq(p.mu, 5),
      jnp.add(jnp.negative(jnp.log1p(jnp.square(jnp.divide(tau, 5)))), p.logTau),
      sq(p.thetaTilde, 1),
      sq(jnp.subtract(y, theta), sigma),
    ]),
  );
}
const d = 100;
const sds = jnp.linspace(0.5, 3, d);
const gaussian100 = (x: Arr) => sq(x, sds);

async function essPerSecond(
  name: string,
  logdensityFn: AnyLogdensityFn,
  init: jax.PyTree,
  n: number,
  chainMethod: "vectorized" | "sequential",
  out: string[],
) {
  const mcmc = new infer.MCMC(new infer.NUTS({ logdensityFn }), {
    numWarmup: n,
    numSamples: n,
    numChains: 4,
    chainMethod,
    progressBar: false,
  });
  const start = performance.now();
  await mcmc.run(random.key(0), { initParams: init });
  const seconds = (performance.now() - start) / 1000;
  const rows = mcmc.summary().rows;
  const minEss = Math.min(...rows.map((r) => r.essBulk));
  out.push(
    `| ${name} | ${chainMethod} | 4 x (${n} + ${n}) | ${seconds.toFixed(1)} s | ${minEss.toFixed(0)} | ${(minEss / seconds).toFixed(1)} |`,
  );
}

/** Runs the sampler workloads and returns their tables as markdown (quick: smaller sizes). */
export async function inferBench(quick: boolean, js: typeof JaxJs | null): Promise<string> {
  const out: string[] = [];
  out.push("RMH on the 4-component mixture, chain-steps per second:\n");
  out.push("| chains | tfjax jit(scan(vmap)) | jax-js jit | JS loop | tfjax / JS loop |");
  out.push("|---|---|---|---|---|");
  const chainCounts = quick ? [1e3, 1e4, 1e5] : [1e3, 1e4, 1e5, 1e6];
  for (const chains of chainCounts) {
    const steps = chains >= 1e6 ? 10 : chains >= 1e5 ? 20 : 100;
    const budget = quick ? 500 : 2000;
    const tf = (chains * steps) / (time(rmhTfjax(chains, steps), budget) / 1000);
    let jj = Number.NaN;
    if (js) {
      try {
        jj = (chains * steps) / (time(rmhJaxJs(js, chains, steps), budget) / 1000);
      } catch (e) {
        console.warn(`jax-js failed at ${chains} chains: ${(e as Error).message}`);
      }
    }
    const loop = (chains * steps) / (time(rmhLoop(chains, steps), budget) / 1000);
    out.push(
      `| ${chains.toExponential(0)} | ${fmt(tf)} | ${Number.isNaN(jj) ? "n/a" : fmt(jj)} | ${fmt(loop)} | ${(tf / loop).toFixed(2)} |`,
    );
  }

  out.push("\nNUTS on 4 chains, effective samples per second:\n");
  out.push("| model | chains | draws | wall (incl. warmup, tracing) | min ess_bulk | ESS/s |");
  out.push("|---|---|---|---|---|---|");
  for (const method of ["vectorized", "sequential"] as const) {
    await essPerSecond(
      "eight schools (non-centered)",
      eightSchools as AnyLogdensityFn,
      {
        mu: random.normal(random.key(1), [4]),
        logTau: random.normal(random.key(2), [4]),
        thetaTilde: random.normal(random.key(3), [4, 8]),
      },
      quick ? 300 : 1000,
      method,
      out,
    );
    await essPerSecond(
      "100-d Gaussian (sd 0.5..3)",
      gaussian100 as AnyLogdensityFn,
      random.normal(random.key(4), [4, d]),
      quick ? 200 : 500,
      method,
      out,
    );
  }
  return out.join("\n");
}

// Standalone: `npx tsx bench/infer.ts [--quick]` prints the tables.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(`# infer bench (${jax.defaultBackend()}, ${quickFlag ? "quick" : "full"})\n`);
  console.log(await inferBench(quickFlag, await loadJaxJs()));
}
