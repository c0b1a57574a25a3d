/** What the samplers share: the log-density type, gradient states, flat views and MH acceptance. */
import type { JaxArray } from "../core/array.js";
import { TypeError_ } from "../core/errors.js";
import { type PyTree, treeMap } from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";
import * as random from "../random/index.js";
import type { KeyLike } from "../random/keys.js";
import { valueAndGrad } from "../transforms/vjp.js";
import type { LogdensityAndGrad } from "./integrators.js";
import { ravelPytree, type Unravel } from "./ravel.js";

/** An unnormalized log density over a pytree of float32 arrays; it returns a scalar. */
export type LogdensityFn<P = PyTree> = (position: P) => JaxArray | number;

/** The state of the gradient-based samplers (hmc, nuts, mala), as blackjax's HMCState. */
export interface GradientState<P = PyTree> {
  readonly position: P;
  readonly logdensity: JaxArray;
  readonly logdensityGrad: P;
}

/** The log density as a float32 scalar, with an error naming the sampler when it is not one. */
export function scalarLogdensity(
  fn: string,
  logdensityFn: LogdensityFn,
  position: PyTree,
): JaxArray {
  const value = asArray(fn, logdensityFn(position) as JaxArray, "float32");
  if (value.ndim !== 0)
    throw new TypeError_(
      `${fn}: logdensityFn must return a scalar, got shape ${fmtShape(value.shape)}`,
    );
  return value;
}

/** [log density, gradient tree] at a position. */
export function logdensityAndGradTree<P>(
  fn: string,
  logdensityFn: LogdensityFn<P>,
  position: P,
): [JaxArray, P] {
  const f = (x: PyTree) => scalarLogdensity(fn, logdensityFn as LogdensityFn, x);
  return valueAndGrad(f)(position as PyTree) as [JaxArray, P];
}

/** The log density and its gradient as functions of the flat position vector. */
export function flatLogdensityAndGrad<P>(
  fn: string,
  logdensityFn: LogdensityFn<P>,
  unravel: Unravel<P>,
): LogdensityAndGrad {
  return (x) => {
    const [value, grad] = logdensityAndGradTree(fn, logdensityFn, unravel(x));
    return [value, ravelPytree(grad)[0]];
  };
}

/** The log density as a function of the flat position vector. */
export function flatLogdensity<P>(
  fn: string,
  logdensityFn: LogdensityFn<P>,
  unravel: Unravel<P>,
): (x: JaxArray) => JaxArray {
  return (x) => scalarLogdensity(fn, logdensityFn as LogdensityFn, unravel(x) as PyTree);
}

export function initGradientState<P>(
  fn: string,
  position: P,
  logdensityFn: LogdensityFn<P>,
): GradientState<P> {
  const [logdensity, logdensityGrad] = logdensityAndGradTree(fn, logdensityFn, position);
  return { position, logdensity, logdensityGrad };
}

/** where(pred, a, b) leaf by leaf over two trees of the same structure. */
export function selectTree<T>(pred: JaxArray, onTrue: T, onFalse: T): T {
  return treeMap(
    (a, b) => jnp.where(pred, a as JaxArray, b as JaxArray),
    onTrue as PyTree,
    onFalse as PyTree,
  ) as T;
}

/**
 * The Metropolis-Hastings test for a proposal with log acceptance ratio `logRatio` (NaN counts
 * as a rejection): [accepted, acceptance probability min(1, exp(logRatio))].
 */
export function metropolisAccept(key: KeyLike, logRatio: JaxArray): [JaxArray, JaxArray] {
  const safe = jnp.where(jnp.isnan(logRatio), Number.NEGATIVE_INFINITY, logRatio);
  const acceptProb = jnp.exp(jnp.minimum(safe, 0));
  const accepted = jnp.less(jnp.log(random.uniform(key)), safe);
  return [accepted, acceptProb];
}

/** A float32 scalar from a JS number or an array (parameters such as step sizes). */
export function floatScalar(fn: string, name: string, x: JaxArray | number): JaxArray {
  const a = asArray(fn, x, "float32");
  if (a.ndim !== 0)
    throw new TypeError_(`${fn}: ${name} must be a scalar, got shape ${fmtShape(a.shape)}`);
  return a;
}
