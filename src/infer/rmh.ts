/**
 * Random-walk (and general) Metropolis-Hastings, in blackjax's shape. The default proposal is a
 * normal random walk on the flat position with a scale (a scalar or per-component standard
 * deviations) or a covariance matrix; a user proposal replaces it, with its log density when it
 * is not symmetric. Many chains are vmap over keys and states.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import type { PyTree } from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { type LogdensityFn, metropolisAccept, scalarLogdensity, selectTree } from "./base.js";
import { ravelPytree } from "./ravel.js";

export interface RMHState<P = PyTree> {
  readonly position: P;
  readonly logdensity: JaxArray;
}

export interface RMHInfo {
  readonly acceptanceRate: JaxArray;
  readonly isAccepted: JaxArray;
}

export interface RMHParameters<P = PyTree> {
  /**
   * The normal random walk's step: a scalar, per-component standard deviations (a vector over
   * the flat position) or a covariance matrix. Default 1. Ignored when `proposal` is given.
   */
  scale?: JaxArray | number | number[] | number[][];
  /** A user proposal x' ~ q(. | x): (key, position) -> new position. */
  proposal?: (key: KeyLike, position: P) => P;
  /** log q(to | from), for proposals that are not symmetric (the Hastings correction). */
  proposalLogdensityFn?: (to: P, from: P) => JaxArray;
}

export type RMHKernel = <P = PyTree>(
  key: KeyLike,
  state: RMHState<P>,
  logdensityFn: LogdensityFn<P>,
  params?: RMHParameters<P>,
) => [RMHState<P>, RMHInfo];

export function init<P>(position: P, logdensityFn: LogdensityFn<P>): RMHState<P> {
  return {
    position,
    logdensity: scalarLogdensity("rmh.init", logdensityFn as LogdensityFn, position as PyTree),
  };
}

/** x + scale * z (scalar or vector scale), or x + chol(cov) z for a covariance matrix. */
export function normalRandomWalk<P>(
  fn: string,
  scale: JaxArray | number | number[] | number[][] = 1,
): (key: KeyLike, position: P) => P {
  const s = asArray(fn, scale, "float32");
  const cholesky = s.ndim === 2 ? jnp.linalg.cholesky(s) : null;
  return (key, position) => {
    const [x, unravel] = ravelPytree(position);
    const d = x.shape[0]!;
    if (
      !(
        s.ndim === 0 ||
        (s.ndim === 1 && s.shape[0] === d) ||
        (s.ndim === 2 && s.shape[0] === d && s.shape[1] === d)
      )
    )
      throw new ValueError(
        `${fn}: scale must be a scalar, a vector of ${d} standard deviations or a (${d}, ${d}) covariance, got shape ${fmtShape(s.shape)}`,
      );
    const z = random.normal(key, [d]);
    const step = cholesky ? jnp.matmul(cholesky, z) : jnp.multiply(s, z);
    return unravel(jnp.add(x, step));
  };
}

export function buildKernel(): RMHKernel {
  return (key, state, logdensityFn, params = {}) => {
    const [keyProposal, keyAccept] = splitList(key, 2);
    const propose = params.proposal ?? normalRandomWalk<typeof state.position>("rmh", params.scale);
    const position = propose(keyProposal!, state.position);
    const logdensity = scalarLogdensity("rmh", logdensityFn as LogdensityFn, position as PyTree);
    let logRatio = jnp.subtract(logdensity, state.logdensity);
    if (params.proposalLogdensityFn) {
      const q = params.proposalLogdensityFn;
      logRatio = jnp.add(
        logRatio,
        jnp.subtract(q(state.position, position), q(position, state.position)),
      );
    }
    const [accepted, acceptProb] = metropolisAccept(keyAccept!, logRatio);
    return [
      selectTree(accepted, { position, logdensity }, state),
      { acceptanceRate: acceptProb, isAccepted: accepted },
    ];
  };
}

/** rmh(logdensityFn, params) -> {init, step}. */
export function rmh<P = PyTree>(logdensityFn: LogdensityFn<P>, params: RMHParameters<P> = {}) {
  const kernel = buildKernel();
  return {
    init: (position: P) => init(position, logdensityFn),
    step: (key: KeyLike, state: RMHState<P>) => kernel(key, state, logdensityFn, params),
  };
}
