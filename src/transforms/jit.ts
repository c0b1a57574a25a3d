/**
 * jax.jit: traces a function once per signature into a Jaxpr and binds it as one `pjit`
 * equation, so a jitted call inside another trace stays one nested Jaxpr (printed as JAX
 * prints it) and every transformation sees it through pjit's rules. Executing it is the
 * compiler's job (src/compiler).
 */
import { runJitted } from "../compiler/index.js";
import { JaxArray } from "../core/array.js";
import { type Device, devices, withDefaultDevice } from "../core/backend.js";
import { devicePut } from "../core/device_put.js";
import { TypeError_ } from "../core/errors.js";
import type { ClosedJaxpr } from "../core/jaxpr.js";
import {
  bind,
  defBatch,
  defJvp,
  defTranspose,
  Primitive,
  registerHigherOrder,
  UndefinedPrimal,
} from "../core/primitive.js";
import { type PyTree, treedefToString, treeUnflatten } from "../core/pytree.js";
import { Tracer } from "../core/trace.js";
import { batchedToFront, batchSize } from "../lax/batch_rules.js";
import {
  batchJaxpr,
  jvpJaxpr,
  merge,
  partialEvalJaxpr,
  partition,
  transposeJaxpr,
} from "./jaxpr_transforms.js";
import { defPartialEval, type PETracer } from "./partial_eval.js";
import {
  flattenArrays,
  lambdaName,
  splitStatic,
  type TracedClosed,
  traceClosed,
} from "./staging.js";

export interface PjitParams {
  jaxpr: ClosedJaxpr;
  name: string;
}
export const pjitP = new Primitive<PjitParams>("pjit", true);

registerHigherOrder(pjitP, {
  abstractEval: (_avals, { jaxpr }) => jaxpr.outAvals,
  eager: (args, { jaxpr }) => runJitted(jaxpr, args),
});

// d jit(f) = jit(jvp(f))
defJvp(pjitP, (primals, tangents, { jaxpr, name }) => {
  const n = jaxpr.outAvals.length;
  const outs = bind(pjitP, [...primals, ...tangents], {
    jaxpr: jvpJaxpr(jaxpr),
    name: `jvp(${name})`,
  });
  return [outs.slice(0, n), outs.slice(n)];
});

defBatch(pjitP, (args, dims, { jaxpr, name }) => {
  const n = batchSize(args, dims);
  const front = batchedToFront(args, dims, n);
  const [batched, outBatched] = batchJaxpr(
    jaxpr,
    n,
    dims.map((d) => d !== null),
  );
  const outs = bind(pjitP, front, { jaxpr: batched, name });
  return [outs, outBatched.map((b) => (b ? 0 : null))];
});

defPartialEval(pjitP, (trace, tracers, { jaxpr, name }) => {
  const unknown = tracers.map((t) => t.known === null);
  const split = partialEvalJaxpr(jaxpr, unknown);
  const [known, unknownIns] = partition(unknown, tracers);
  const knownOuts = bind(
    pjitP,
    known.map((t) => t.known!),
    { jaxpr: split.known, name },
  );
  const nKnownOut = knownOuts.length - split.numRes;
  const residuals = knownOuts.slice(nKnownOut).map((r) => trace.pure(r) as PETracer);
  const unknownOuts = trace.stage(pjitP, [...residuals, ...unknownIns], {
    jaxpr: split.unknown,
    name,
  });
  return merge(split.outUnknown, knownOuts.slice(0, nKnownOut), unknownOuts);
});

defTranspose(pjitP, (cts, inputs, { jaxpr, name }) => {
  const linear = inputs.map((x) => x instanceof UndefinedPrimal);
  const [nonlinear] = partition(linear, inputs) as [JaxArray[], UndefinedPrimal[]];
  const linearCts = bind(pjitP, [...nonlinear, ...(cts as JaxArray[])], {
    jaxpr: transposeJaxpr(jaxpr, linear),
    name: `transpose(${name})`,
  });
  return merge(
    linear,
    nonlinear.map(() => null),
    linearCts,
  );
});

export interface JitOptions {
  staticArgnums?: number | readonly number[];
  /** Keys of a trailing options-object argument (Python's keyword arguments) that are static. */
  staticArgnames?: string | readonly string[];
  /** Accepted for JAX compatibility; tf.js has no buffer donation, so nothing is donated. */
  donateArgnums?: number | readonly number[];
  /** Run on this platform ("cpu", "wasm", "webgpu", ...): arguments are moved there first. */
  backend?: string;
}
export interface JitStats {
  hits: number;
  misses: number;
  size: number;
}
export type Jitted<F> = F & { cacheInfo(): JitStats; lower(...args: unknown[]): ClosedJaxpr };

const asList = <T>(x: T | readonly T[] | undefined): T[] =>
  x === undefined ? [] : Array.isArray(x) ? [...x] : [x as T];

/**
 * jax.jit: traces f once per (argument shapes, dtypes, weak types, static values, tree
 * structure, backend) and reuses the staged Jaxpr; prints inside f run once per trace, as in
 * JAX. `cacheInfo()` reports cache hits and traces; `lower(...args)` returns the Jaxpr.
 */
export function jit<F extends (...args: never[]) => PyTree>(
  f: F,
  opts: JitOptions = {},
): Jitted<F> {
  const cache = new Map<string, TracedClosed>();
  const stats = { hits: 0, misses: 0 };
  const staticNames = asList(opts.staticArgnames);
  const device: Device | undefined = opts.backend ? devices(opts.backend)[0] : undefined;
  const name = lambdaName(f);
  let lastKey = "";
  const lookup = (rawArgs: unknown[]) => {
    const args = splitStaticNames(rawArgs, staticNames);
    const { dynamic, statics, bake } = splitStatic(args.args, asList(opts.staticArgnums));
    let [arrays, inTree] = flattenArrays("jit", dynamic as PyTree);
    if (device) arrays = arrays.map((a) => (a instanceof Tracer ? a : devicePut(a, device)));
    const key = [
      treedefToString(inTree),
      ...arrays.map((a) => a.aval.key),
      ...[...statics].map(([i, v]) => `${i}=${staticKey(v)}`),
      `kw=${staticKey(args.staticKw)}`,
    ].join("|");
    lastKey = key;
    let entry = cache.get(key);
    if (entry) stats.hits++;
    else {
      stats.misses++;
      entry = traceClosed(
        "jit",
        (...xs: never[]) => f(...(args.rebuild(bake(xs)) as never[])),
        arrays.map((a) => a.aval),
        inTree,
        f,
      );
      // A trace that closed over another transformation's tracers is only valid inside it.
      if (!entry.consts.some((c) => c instanceof Tracer)) cache.set(key, entry);
    }
    return { entry, arrays };
  };
  // The common call (no static arguments, every argument an array) skips flattening: its
  // cache key is just the argument types.
  const plain = !opts.staticArgnums && staticNames.length === 0 && !device;
  const byTypes = new Map<string, { entry: TracedClosed; params: PjitParams }>();
  const typesKey = (args: unknown[]): string | null => {
    // One argument keys on its aval's own (cached) string: no concatenation per call.
    if (args.length === 1) return args[0] instanceof JaxArray ? args[0].aval.key : null;
    let key = "";
    for (const a of args) {
      if (!(a instanceof JaxArray)) return null;
      key += `${a.aval.key}|`;
    }
    return key;
  };
  const call = (args: unknown[]) => {
    const key = plain ? typesKey(args) : null;
    const hit = key === null ? undefined : byTypes.get(key);
    if (hit) {
      stats.hits++;
      const { entry, params } = hit;
      const inputs = entry.consts.length
        ? [...entry.consts, ...(args as JaxArray[])]
        : (args as JaxArray[]);
      const outs = bind(pjitP, inputs, params);
      return entry.outTree.kind === "leaf" ? outs[0] : treeUnflatten(entry.outTree, outs);
    }
    const { entry, arrays } = lookup(args);
    const params = { jaxpr: entry.jaxpr, name };
    if (key !== null && cache.get(lastKey) === entry) byTypes.set(key, { entry, params });
    const outs = bind(pjitP, [...entry.consts, ...arrays], params);
    return treeUnflatten(entry.outTree, outs);
  };
  // With a backend, everything the call creates (constants, iotas) lives there too.
  const jitted = (...args: unknown[]) =>
    device ? withDefaultDevice(device, () => call(args)) : call(args);
  return Object.assign(jitted, {
    cacheInfo: (): JitStats => ({ ...stats, size: cache.size }),
    lower: (...args: unknown[]) => lookup(args).entry.jaxpr,
  }) as unknown as Jitted<F>;
}

/** Takes the static keys out of a trailing options object (they become part of the cache key). */
function splitStaticNames(args: unknown[], names: readonly string[]) {
  const last = args.at(-1);
  const isOptions =
    names.length > 0 &&
    typeof last === "object" &&
    last !== null &&
    Object.getPrototypeOf(last) === Object.prototype;
  if (!isOptions) return { args, staticKw: {}, rebuild: (xs: unknown[]) => xs };
  const options = last as Record<string, unknown>;
  const staticKw = Object.fromEntries(
    names.filter((k) => k in options).map((k) => [k, options[k]]),
  );
  const dynamicKw = Object.fromEntries(Object.entries(options).filter(([k]) => !names.includes(k)));
  return {
    args: [...args.slice(0, -1), dynamicKw],
    staticKw,
    rebuild: (xs: unknown[]) => [...xs.slice(0, -1), { ...(xs.at(-1) as object), ...staticKw }],
  };
}

function staticKey(v: unknown): string {
  if (typeof v === "function") return `fn:${v.name}`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    throw new TypeError_(
      "jit: static arguments must be hashable (JSON-serialisable values or functions)",
    );
  }
}
