/**
 * jax.optax: gradient transformations in optax's shape. An optimizer is `{init, update}`;
 * `init(params)` gives a state (a pytree of arrays), `update(grads, state, params)` gives
 * `[updates, newState]`, and `applyUpdates(params, updates)` adds them. Everything is written
 * with jnp operations over pytrees, so a training step jits, differentiates and vmaps. Formulas
 * follow optax (optax/_src/transform.py, alias.py, schedule.py).
 */
import type { JaxArray } from "../core/array.js";
import { type PyTree, treeLeaves, treeMap } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";

type Tree = PyTree<JaxArray>;
/** A learning-rate schedule: step count -> value. */
export type Schedule = (count: jnp.ArrayLike) => JaxArray;
export type ScalarOrSchedule = number | Schedule;

export interface GradientTransformation<S = PyTree> {
  init(params: Tree): S;
  update(updates: Tree, state: S, params?: Tree): [Tree, S];
}

const isArray = (x: unknown): x is JaxArray => typeof x === "object" && x !== null && "aval" in x;
const map = (f: (...xs: JaxArray[]) => JaxArray, tree: Tree, ...rest: Tree[]): Tree =>
  treeMap(f as (...xs: unknown[]) => unknown, tree as PyTree, ...(rest as PyTree[])) as Tree;
const zerosLikeTree = (t: Tree) => map((x) => jnp.zerosLike(x), t);
const count0 = () => jnp.zeros([], { dtype: "int32" });
const increment = (c: JaxArray) => jnp.add(c, 1);

/** optax.apply_updates(params, updates): params + updates, leaf by leaf (in each param's dtype). */
export function applyUpdates(params: Tree, updates: Tree): Tree {
  return map((p, u) => jnp.astype(jnp.add(p, u), p.dtype), params, updates);
}

// --- schedules --------------------------------------------------------------------------------

const asCount = (count: jnp.ArrayLike) => jnp.astype(jnp.asarray(count), "float32");

/** optax.constant_schedule(value) */
export function constantSchedule(value: number): Schedule {
  return (count) => jnp.fullLike(asCount(count), value);
}
/**
 * optax.polynomial_schedule(initValue, endValue, power, transitionSteps, transitionBegin=0):
 * (init - end) * (1 - t / transitionSteps)^power + end with t clipped to [0, transitionSteps].
 */
export function polynomialSchedule(
  initValue: number,
  endValue: number,
  power: number,
  transitionSteps: number,
  transitionBegin = 0,
): Schedule {
  if (transitionSteps <= 0) return constantSchedule(initValue);
  return (count) => {
    const t = jnp.clip(jnp.subtract(asCount(count), transitionBegin), 0, transitionSteps);
    const frac = jnp.subtract(1, jnp.divide(t, transitionSteps));
    return jnp.add(jnp.multiply(initValue - endValue, jnp.power(frac, power)), endValue);
  };
}
/** optax.linear_schedule(initValue, endValue, transitionSteps, transitionBegin=0) */
export function linearSchedule(
  initValue: number,
  endValue: number,
  transitionSteps: number,
  transitionBegin = 0,
): Schedule {
  return polynomialSchedule(initValue, endValue, 1, transitionSteps, transitionBegin);
}
export interface ExponentialDecayOptions {
  transitionBegin?: number;
  staircase?: boolean;
  endValue?: number | null;
}
/**
 * optax.exponential_decay(initValue, transitionSteps, decayRate, {transitionBegin, staircase,
 * endValue}): init * decayRate^((count - begin) / transitionSteps), constant before begin,
 * floored exponents if staircase, bounded by endValue.
 */
export function exponentialDecay(
  initValue: number,
  transitionSteps: number,
  decayRate: number,
  o: ExponentialDecayOptions = {},
): Schedule {
  if (transitionSteps <= 0) return constantSchedule(initValue);
  const begin = o.transitionBegin ?? 0;
  return (count) => {
    const t = jnp.subtract(asCount(count), begin);
    let p = jnp.divide(t, transitionSteps);
    if (o.staircase) p = jnp.floor(p);
    let v = jnp.where(
      jnp.lessEqual(t, 0),
      initValue,
      jnp.multiply(initValue, jnp.power(decayRate, p)),
    );
    if (o.endValue != null)
      v = decayRate < 1 ? jnp.maximum(v, o.endValue) : jnp.minimum(v, o.endValue);
    return v;
  };
}
/**
 * optax.cosine_decay_schedule(initValue, decaySteps, alpha=0, exponent=1):
 * init * ((1 - alpha) * (0.5 (1 + cos(pi t / decaySteps)))^exponent + alpha), t <= decaySteps.
 */
export function cosineDecaySchedule(
  initValue: number,
  decaySteps: number,
  alpha = 0,
  exponent = 1,
): Schedule {
  if (decaySteps <= 0) return constantSchedule(initValue);
  return (count) => {
    const t = jnp.minimum(asCount(count), decaySteps);
    const cosine = jnp.multiply(0.5, jnp.add(1, jnp.cos(jnp.multiply(Math.PI / decaySteps, t))));
    return jnp.multiply(
      initValue,
      jnp.add(jnp.multiply(1 - alpha, jnp.power(cosine, exponent)), alpha),
    );
  };
}
/** optax.join_schedules(schedules, boundaries): schedule i (shifted to start at 0) after boundary i-1. */
export function joinSchedules(
  schedules: readonly Schedule[],
  boundaries: readonly number[],
): Schedule {
  return (count) => {
    const c = asCount(count);
    let out = schedules[0]!(c);
    boundaries.forEach((b, i) => {
      out = jnp.where(jnp.less(c, b), out, schedules[i + 1]!(jnp.subtract(c, b)));
    });
    return out;
  };
}
/**
 * optax.warmup_cosine_decay_schedule(initValue, peakValue, warmupSteps, decaySteps, endValue=0,
 * exponent=1): linear warmup to the peak, then cosine decay to endValue at decaySteps.
 */
export function warmupCosineDecaySchedule(
  initValue: number,
  peakValue: number,
  warmupSteps: number,
  decaySteps: number,
  endValue = 0,
  exponent = 1,
): Schedule {
  const alpha = peakValue === 0 ? 0 : endValue / peakValue;
  return joinSchedules(
    [
      linearSchedule(initValue, peakValue, warmupSteps),
      cosineDecaySchedule(peakValue, decaySteps - warmupSteps, alpha, exponent),
    ],
    [warmupSteps],
  );
}

// --- gradient transformations ------------------------------------------------------------------

/** optax.identity() */
export function identity(): GradientTransformation<Record<string, never>> {
  return { init: () => ({}), update: (u, s) => [u, s] };
}
/** optax.scale(stepSize): updates * stepSize. */
export function scale(stepSize: number): GradientTransformation<Record<string, never>> {
  return { init: () => ({}), update: (u, s) => [map((g) => jnp.multiply(g, stepSize), u), s] };
}
/** optax.scale_by_schedule(fn): updates * fn(count), count incremented per update. */
export function scaleBySchedule(fn: Schedule): GradientTransformation<{ count: JaxArray }> {
  return {
    init: () => ({ count: count0() }),
    update: (u, { count }) => {
      const step = fn(count);
      return [
        map((g) => jnp.multiply(g, jnp.astype(step, g.dtype)), u),
        { count: increment(count) },
      ];
    },
  };
}
/** optax.scale_by_learning_rate(lr, flipSign=true): -lr * updates (lr a number or a schedule). */
export function scaleByLearningRate(
  learningRate: ScalarOrSchedule,
  flipSign = true,
): GradientTransformation {
  const m = flipSign ? -1 : 1;
  if (typeof learningRate === "function")
    return scaleBySchedule((c) => jnp.multiply(m, learningRate(c))) as GradientTransformation;
  return scale(m * learningRate) as GradientTransformation;
}
/**
 * optax.trace(decay, nesterov): momentum. t <- g + decay t; the update is t, or g + decay t
 * (the new t) with Nesterov.
 */
export function trace(decay: number, nesterov = false): GradientTransformation<{ trace: Tree }> {
  return {
    init: (params) => ({ trace: zerosLikeTree(params) }),
    update: (u, { trace: t }) => {
      const f = (g: JaxArray, tr: JaxArray) => jnp.add(g, jnp.multiply(decay, tr));
      const newTrace = map(f, u, t);
      return [nesterov ? map(f, u, newTrace) : newTrace, { trace: newTrace }];
    },
  };
}
export interface AdamOptions {
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
}
export interface AdamState {
  count: JaxArray;
  mu: Tree;
  nu: Tree;
}
/**
 * optax.scale_by_adam(b1=0.9, b2=0.999, eps=1e-8, epsRoot=0): bias-corrected moments,
 * mu_hat / (sqrt(nu_hat + epsRoot) + eps) (Kingma & Ba, 2015).
 */
export function scaleByAdam(o: AdamOptions = {}): GradientTransformation<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0 } = o;
  return {
    init: (params) => ({ count: count0(), mu: zerosLikeTree(params), nu: zerosLikeTree(params) }),
    update: (u, state) => {
      const mu = map((g, m) => jnp.add(jnp.multiply(1 - b1, g), jnp.multiply(b1, m)), u, state.mu);
      const nu = map(
        (g, v) => jnp.add(jnp.multiply(1 - b2, jnp.square(g)), jnp.multiply(b2, v)),
        u,
        state.nu,
      );
      const count = increment(state.count);
      const c = jnp.astype(count, "float32");
      const bc1 = jnp.subtract(1, jnp.power(b1, c));
      const bc2 = jnp.subtract(1, jnp.power(b2, c));
      const updates = map(
        (m, v) =>
          jnp.divide(
            jnp.divide(m, bc1),
            jnp.add(jnp.sqrt(jnp.add(jnp.divide(v, bc2), epsRoot)), eps),
          ),
        mu,
        nu,
      );
      return [updates, { count, mu, nu }];
    },
  };
}
/** optax.add_decayed_weights(weightDecay): updates + weightDecay * params. */
export function addDecayedWeights(
  weightDecay: number,
): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update: (u, s, params) => {
      if (params === undefined)
        throw new TypeError(
          "add_decayed_weights: update needs params (pass them as the third argument)",
        );
      return [map((g, p) => jnp.add(g, jnp.multiply(weightDecay, p)), u, params), s];
    },
  };
}
/** optax.clip_by_global_norm(maxNorm): rescales all updates when their joint 2-norm exceeds maxNorm. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update: (u, s) => {
      const leaves = treeLeaves(u as PyTree).filter(isArray);
      const norm = jnp.sqrt(
        leaves.reduce<JaxArray>((acc, x) => jnp.add(acc, jnp.sum(jnp.square(x))), jnp.zeros([])),
      );
      const clipped = map(
        (g) => jnp.where(jnp.less(norm, maxNorm), g, jnp.multiply(jnp.divide(g, norm), maxNorm)),
        u,
      );
      return [clipped, s];
    },
  };
}
/** optax.chain(...transforms): applies them in order; the state is the list of their states. */
export function chain(
  ...transforms: GradientTransformation<never>[]
): GradientTransformation<PyTree[]> {
  const ts = transforms as unknown as GradientTransformation<PyTree>[];
  return {
    init: (params) => ts.map((t) => t.init(params)),
    update: (u, states, params) => {
      let updates = u;
      const next = ts.map((t, i) => {
        const [nu, ns] = t.update(updates, states[i]!, params);
        updates = nu;
        return ns;
      });
      return [updates, next];
    },
  };
}

// --- optimizers -------------------------------------------------------------------------------

export interface SgdOptions {
  momentum?: number | null;
  nesterov?: boolean;
}
/** optax.sgd(learningRate, {momentum, nesterov}) */
export function sgd(
  learningRate: ScalarOrSchedule,
  o: SgdOptions = {},
): GradientTransformation<PyTree[]> {
  const first = o.momentum != null ? trace(o.momentum, o.nesterov ?? false) : identity();
  return chain(
    first as GradientTransformation<never>,
    scaleByLearningRate(learningRate) as GradientTransformation<never>,
  );
}
/** optax.adam(learningRate, {b1, b2, eps, epsRoot}) */
export function adam(
  learningRate: ScalarOrSchedule,
  o: AdamOptions = {},
): GradientTransformation<PyTree[]> {
  return chain(
    scaleByAdam(o) as GradientTransformation<never>,
    scaleByLearningRate(learningRate) as GradientTransformation<never>,
  );
}
/** optax.adamw(learningRate, {b1, b2, eps, epsRoot, weightDecay=1e-4}): Adam with decoupled weight decay (Loshchilov & Hutter, 2019). */
export function adamw(
  learningRate: ScalarOrSchedule,
  o: AdamOptions & { weightDecay?: number } = {},
): GradientTransformation<PyTree[]> {
  return chain(
    scaleByAdam(o) as GradientTransformation<never>,
    addDecayedWeights(o.weightDecay ?? 1e-4) as GradientTransformation<never>,
    scaleByLearningRate(learningRate) as GradientTransformation<never>,
  );
}
