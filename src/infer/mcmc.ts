/**
 * The numpyro-style MCMC driver: warmup (Stan's window adaptation for NUTS and HMC, burn-in for
 * RMH), then sampling, over many chains, with progress reports and the samples, the per-draw
 * sampler statistics and the summary at the end.
 *
 *   const mcmc = new infer.MCMC(new infer.NUTS({ logdensityFn }), { numWarmup: 500, numSamples: 500, numChains: 4 });
 *   await mcmc.run(random.key(0), { initParams });
 *   mcmc.printSummary();
 *
 * Chains run vectorized (jit(vmap(step)) over chains: one program, every chain to its own tree
 * depth) or sequentially (jit(step) per chain). Steps run in jitted scans of a chunk of draws, so
 * progress can be reported between chunks.
 */
import { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { type PyTree, treeFlatten, treeMap } from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { scan } from "../transforms/control_flow.js";
import { jit } from "../transforms/jit.js";
import { evalShape } from "../transforms/staging.js";
import { vmap } from "../transforms/vmap.js";
import { Progress, progressDefault } from "./progress.js";
import type { ExtraFields, MCMCKernel, WarmupCarry } from "./samplers.js";
import { printSummary, type Samples, type SummaryTable, summary } from "./summary.js";

export type ChainMethod = "vectorized" | "sequential" | "parallel";

export interface MCMCOptions {
  numWarmup: number;
  numSamples: number;
  numChains?: number;
  /**
   * "vectorized" (vmap over chains), "sequential", or numpyro's "parallel" (= vectorized).
   * Default: the sampler's preference (NUTS: sequential; the others: vectorized), reported in
   * the progress header and as `mcmc.chainMethod`.
   */
  chainMethod?: ChainMethod;
  /** Show progress on stderr (default: when stderr is a terminal and CI is unset). */
  progressBar?: boolean;
  /** Keep every thinning-th draw (default 1). */
  thinning?: number;
  /** Draws per jitted call (default: about 2% of a phase with progress, else the whole phase). */
  chunkSize?: number;
}

export interface RunOptions {
  /** The starting position: a pytree of arrays, with or without a leading chain axis. */
  initParams: PyTree;
}

export interface GetOptions {
  /** [chains, draws, ...] (true) or [chains * draws, ...] (false, numpyro's default). */
  groupByChain?: boolean;
}

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw new ValueError(`MCMC: ${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

/** Loop state of one chain (or of all chains, batched). */
interface ChainCarry {
  key: KeyLike;
  carry: WarmupCarry;
}

export class MCMC {
  readonly numWarmup: number;
  readonly numSamples: number;
  readonly numChains: number;
  /** How the chains ran: "vectorized" or "sequential". */
  readonly chainMethod: "vectorized" | "sequential";
  readonly thinning: number;
  private readonly progressBar: boolean;
  private readonly chunkSize?: number;
  private samples: PyTree | null = null;
  private extra: ExtraFields | null = null;
  private params: PyTree | null = null;
  private last: PyTree | null = null;

  constructor(
    readonly sampler: MCMCKernel,
    options: MCMCOptions,
  ) {
    if (!sampler || typeof sampler.sample !== "function")
      throw new ValueError(
        "MCMC: the first argument must be a sampler (infer.NUTS, infer.HMC, infer.RMH)",
      );
    this.numWarmup = checkCount("numWarmup", options?.numWarmup, 0);
    this.numSamples = checkCount("numSamples", options.numSamples, 1);
    this.numChains = checkCount("numChains", options.numChains ?? 1, 1);
    this.thinning = checkCount("thinning", options.thinning ?? 1, 1);
    const method = options.chainMethod ?? sampler.preferredChainMethod ?? "vectorized";
    if (!["vectorized", "sequential", "parallel"].includes(method))
      throw new ValueError(
        `MCMC: chainMethod must be "vectorized", "sequential" or "parallel", got ${JSON.stringify(method)}`,
      );
    this.chainMethod = method === "sequential" ? "sequential" : "vectorized";
    this.progressBar = options.progressBar ?? progressDefault();
    if (options.chunkSize !== undefined)
      this.chunkSize = checkCount("chunkSize", options.chunkSize, 1);
  }

  /** Runs warmup and sampling from `key`; the results are kept for getSamples and friends. */
  async run(key: KeyLike, options: RunOptions): Promise<void> {
    if (!options || options.initParams === undefined)
      throw new ValueError("MCMC.run: initParams is required (a pytree of arrays)");
    const positions = this.batchedInit(options.initParams);
    const chainKeys = random.split(key, this.numChains);
    if (this.progressBar)
      process.stderr.write(
        `${this.sampler.name}: ${this.numChains} chain${this.numChains > 1 ? "s" : ""} ${this.chainMethod}, ${this.numWarmup} warmup + ${this.numSamples} draws each\n`,
      );
    const runs =
      this.chainMethod === "vectorized"
        ? [await this.runChains(chainKeys, positions, true)]
        : await this.runSequential(chainKeys, positions);
    const cat = (parts: PyTree[]) =>
      treeMap((...xs: unknown[]) => jnp.concatenate(xs as JaxArray[]), ...(parts as [PyTree]));
    const thin = (x: JaxArray) =>
      this.thinning === 1 ? x : jnp.take(x, jnp.arange(0, x.shape[1]!, this.thinning), { axis: 1 });
    this.samples = treeMap((x) => thin(x as JaxArray), cat(runs.map((r) => r.samples)));
    this.extra = treeMap((x) => thin(x as JaxArray), cat(runs.map((r) => r.extra))) as ExtraFields;
    this.params = cat(runs.map((r) => r.params));
    this.last = cat(runs.map((r) => r.last));
  }

  /** Chains one after another: each a vectorized run of one chain (same programs, batch of 1). */
  private async runSequential(keys: KeyLike, positions: PyTree) {
    const out = [];
    for (let c = 0; c < this.numChains; c++) {
      const take = (x: unknown) => jnp.take(x as JaxArray, jnp.arange(c, c + 1), { axis: 0 });
      out.push(
        await this.runChains(
          treeMap(take, keys as unknown as PyTree) as unknown as KeyLike,
          treeMap(take, positions),
          false,
          c,
        ),
      );
    }
    return out;
  }

  /** Warmup then sampling for a batch of chains (leading axis), in jitted chunks. */
  private async runChains(keys: KeyLike, positions: PyTree, vectorized: boolean, chain?: number) {
    const s = this.sampler;
    const nChains = treeFlatten(positions)[0].length
      ? (treeFlatten(positions)[0][0] as JaxArray).shape[0]!
      : 1;
    const label = chain === undefined ? "" : ` ${chain + 1}`;
    const batch = <F extends (...args: never[]) => PyTree>(
      f: F,
      inAxes: (number | null)[],
    ): ((...args: unknown[]) => unknown) =>
      vectorized
        ? (jit(vmap(f, { inAxes })) as unknown as (...args: unknown[]) => unknown)
        : (jit(((...args: unknown[]) => {
            const squeezed = args.map((a, i) =>
              inAxes[i] === 0 ? treeMap((x) => jnp.squeeze(x as JaxArray, 0), a as PyTree) : a,
            );
            const out = f(...(squeezed as never[]));
            return treeMap((x) => jnp.expandDims(x as JaxArray, 0), out);
          }) as unknown as F) as unknown as (...args: unknown[]) => unknown);

    const init = batch(
      ((k: KeyLike, x: PyTree) => {
        const [keyInit, keyLoop] = splitList(k, 2);
        return { key: keyLoop!, carry: s.warmupInit(keyInit!, x) } as unknown as PyTree;
      }) as (...args: never[]) => PyTree,
      [0, 0],
    );
    const warmupChunk = batch(
      ((c: ChainCarry, slow: JaxArray, windowEnd: JaxArray) =>
        scan(
          (loop: ChainCarry, [sl, we]: [JaxArray, JaxArray]) => {
            const [next, k] = splitList(loop.key, 2);
            const [carry, fields] = s.warmupStep(k!, loop.carry, sl, we);
            return [{ key: next!, carry }, fields];
          },
          c,
          [slow, windowEnd],
        ) as unknown as PyTree) as (...args: never[]) => PyTree,
      [0, null, null],
    );
    const parameters = batch(
      ((c: ChainCarry) => s.parameters(c.carry)) as (...args: never[]) => PyTree,
      [0],
    );
    const sampleChunk = batch(
      ((c: { key: KeyLike; state: PyTree }, params: PyTree, steps: JaxArray) =>
        scan(
          (loop: { key: KeyLike; state: PyTree }) => {
            const [next, k] = splitList(loop.key, 2);
            const [state, fields] = s.sample(k!, loop.state, params);
            return [
              { key: next!, state },
              { position: (state as { position: PyTree }).position, fields },
            ];
          },
          c,
          steps,
        ) as unknown as PyTree) as (...args: never[]) => PyTree,
      [0, 0, null],
    );

    let loop = init(keys, positions) as unknown as ChainCarry;
    const schedule = s.schedule(this.numWarmup);
    const warmupProgress = this.progress(`warmup${label}`, this.numWarmup * nChains);
    for (const [start, end] of this.chunks(this.numWarmup)) {
      const [next, fields] = warmupChunk(
        loop,
        jnp.array(schedule.slow.slice(start, end), { dtype: "bool" }),
        jnp.array(schedule.windowEnd.slice(start, end), { dtype: "bool" }),
      ) as unknown as [ChainCarry, ExtraFields];
      loop = next;
      if (warmupProgress)
        warmupProgress.update((end - start) * nChains, await countDivergences(fields));
    }
    warmupProgress?.finish();

    const params = parameters(loop) as PyTree;
    let sampling = { key: loop.key, state: loop.carry.state };
    const samples: PyTree[] = [];
    const extras: PyTree[] = [];
    const sampleProgress = this.progress(`sample${label}`, this.numSamples * nChains);
    for (const [start, end] of this.chunks(this.numSamples)) {
      const [next, ys] = sampleChunk(sampling, params, jnp.zeros([end - start])) as unknown as [
        typeof sampling,
        { position: PyTree; fields: ExtraFields },
      ];
      sampling = next;
      samples.push(ys.position);
      extras.push(ys.fields as unknown as PyTree);
      if (sampleProgress)
        sampleProgress.update((end - start) * nChains, await countDivergences(ys.fields));
    }
    sampleProgress?.finish();
    const along1 = (parts: PyTree[]) =>
      treeMap(
        (...xs: unknown[]) =>
          xs.length === 1 ? (xs[0] as JaxArray) : jnp.concatenate(xs as JaxArray[], 1),
        ...(parts as [PyTree]),
      );
    return { samples: along1(samples), extra: along1(extras), params, last: sampling.state };
  }

  private progress(phase: string, total: number): Progress | null {
    return this.progressBar && total > 0 ? new Progress(phase, total) : null;
  }

  /** [start, end) ranges of at most chunkSize draws covering n. */
  private chunks(n: number): [number, number][] {
    const size = this.chunkSize ?? (this.progressBar ? Math.max(1, Math.ceil(n / 50)) : n);
    const out: [number, number][] = [];
    for (let start = 0; start < n; start += size) out.push([start, Math.min(n, start + size)]);
    return out;
  }

  /**
   * The initial positions with a leading chain axis. A tree whose every leaf leads with
   * numChains, and whose first slice is a valid position (the log density is a scalar there), is
   * taken as per-chain; otherwise the one position is copied to every chain.
   */
  private batchedInit(initParams: PyTree): PyTree {
    const tree = treeMap((x) => asArray("MCMC.run", x as JaxArray, "float32"), initParams);
    const leaves = treeFlatten(tree)[0] as JaxArray[];
    if (leaves.length === 0) throw new ValueError("MCMC.run: initParams holds no arrays");
    const c = this.numChains;
    const scalarAt = (position: PyTree) => {
      try {
        const out = evalShape(this.sampler.logdensityFn as (...a: never[]) => PyTree, position);
        return (out as { shape?: number[] }).shape?.length === 0;
      } catch {
        return false;
      }
    };
    const leads = leaves.every((x) => x.ndim >= 1 && x.shape[0] === c);
    const first = () => treeMap((x) => jnp.take(x as JaxArray, 0, { axis: 0 }), tree);
    if (leads && (c > 1 || !scalarAt(tree)) && scalarAt(first())) return tree;
    if (!scalarAt(tree))
      throw new ValueError(
        `MCMC.run: logdensityFn does not return a scalar at initParams (leaf shapes ${leaves.map((x) => fmtShape(x.shape)).join(", ")}), with or without a leading chain axis of ${c}`,
      );
    return treeMap((x) => jnp.broadcastTo(x as JaxArray, [c, ...(x as JaxArray).shape]), tree);
  }

  private need<T>(x: T | null, what: string): T {
    if (x === null) throw new ValueError(`MCMC.${what}: call run() first`);
    return x;
  }

  /** The draws: a pytree like initParams, [chains, draws, ...] or [chains * draws, ...]. */
  getSamples(options: GetOptions = {}): PyTree {
    return this.group(this.need(this.samples, "getSamples"), options.groupByChain ?? false);
  }

  /** Per-draw statistics: diverging, acceptProb, numSteps, treeDepth, energy, potentialEnergy. */
  getExtraFields(options: GetOptions = {}): ExtraFields {
    return this.group(
      this.need(this.extra, "getExtraFields") as unknown as PyTree,
      options.groupByChain ?? false,
    ) as unknown as ExtraFields;
  }

  /** The adapted parameters per chain (stepSize, inverseMassMatrix for NUTS and HMC). */
  get adaptedParameters(): PyTree {
    return this.need(this.params, "adaptedParameters");
  }

  /** The sampler state after the last draw, per chain (to continue from). */
  get lastState(): PyTree {
    return this.need(this.last, "lastState");
  }

  private group(tree: PyTree, groupByChain: boolean): PyTree {
    if (groupByChain) return tree;
    return treeMap((x) => {
      const a = x as JaxArray;
      return jnp.reshape(a, [a.shape[0]! * a.shape[1]!, ...a.shape.slice(2)]);
    }, tree);
  }

  /** The summary table as data (see infer.summary). */
  summary(prob = 0.9): SummaryTable {
    return summary(this.getSamples({ groupByChain: true }) as Samples, prob, true);
  }

  /** Prints the summary table and the number of divergences; returns the table. */
  printSummary(prob = 0.9): SummaryTable {
    const extra = this.getExtraFields({ groupByChain: true });
    return printSummary(this.getSamples({ groupByChain: true }) as Samples, prob, true, {
      ...(extra.diverging ? { divergences: extra.diverging } : {}),
    });
  }
}

async function countDivergences(fields: ExtraFields): Promise<number> {
  const d = fields.diverging;
  if (!(d instanceof JaxArray)) return 0;
  const values = await d.data();
  let n = 0;
  for (const v of values) n += v ? 1 : 0;
  return n;
}
