/**
 * The affine-invariant ensemble sampler with the stretch move (Goodman & Weare 2010, "Ensemble
 * samplers with affine invariance", CAMCoS 5(1)), parallelized as emcee does it (Foreman-Mackey
 * et al. 2013, PASP 125, algorithm 3): the walkers split into two halves, each half moves along
 * lines through random walkers of the other half, z ~ g(z) ∝ 1/sqrt(z) on [1/a, a], accepted
 * with probability min(1, z^(d-1) p(y) / p(x)). Walkers are the leading axis of every leaf.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { type PyTree, treeMap } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { vmap } from "../transforms/vmap.js";
import { type LogdensityFn, scalarLogdensity } from "./base.js";
import { ravelPytree } from "./ravel.js";

export interface EnsembleState<P = PyTree> {
  /** The walkers' positions: each leaf has a leading axis of nWalkers. */
  readonly position: P;
  readonly logdensity: JaxArray;
}

export interface EnsembleInfo {
  readonly acceptanceRate: JaxArray;
  readonly isAccepted: JaxArray;
}

export interface EnsembleParameters {
  /** The stretch scale a > 1 (emcee's default 2). */
  a?: number;
}

export type EnsembleKernel = <P = PyTree>(
  key: KeyLike,
  state: EnsembleState<P>,
  logdensityFn: LogdensityFn<P>,
  params?: EnsembleParameters,
) => [EnsembleState<P>, EnsembleInfo];

/** The walkers as a [nWalkers, d] matrix, and the map from such a matrix back to the tree. */
function flattenWalkers<P>(position: P): [JaxArray, (flat: JaxArray) => P] {
  const flat = vmap((p: PyTree) => ravelPytree(p)[0])(position as PyTree) as JaxArray;
  const oneWalker = treeMap(
    (leaf) => jnp.take(leaf as JaxArray, 0, { axis: 0 }),
    position as PyTree,
  );
  const [, unravel] = ravelPytree(oneWalker);
  return [flat, (m) => vmap((row: JaxArray) => unravel(row))(m) as P];
}

function checkWalkers(fn: string, n: number): void {
  if (n < 2 || n % 2 !== 0)
    throw new ValueError(
      `${fn}: the number of walkers (the leading axis of the position) must be even and at least 2, got ${n}`,
    );
}

export function init<P>(position: P, logdensityFn: LogdensityFn<P>): EnsembleState<P> {
  const [flat, unravel] = flattenWalkers(position);
  checkWalkers("ensemble.init", flat.shape[0]!);
  return { position, logdensity: perWalker(logdensityFn, unravel, flat) };
}

/** The log density of each row of a [walkers, d] matrix. */
function perWalker<P>(
  logdensityFn: LogdensityFn<P>,
  unravelWalkers: (flat: JaxArray) => P,
  flat: JaxArray,
): JaxArray {
  const walkers = unravelWalkers(flat);
  return vmap((p: PyTree) => scalarLogdensity("ensemble", logdensityFn as LogdensityFn, p))(
    walkers as PyTree,
  ) as JaxArray;
}

/** Moves every walker of `x` along a line through a random walker of `complement`. */
function stretchHalf(
  key: KeyLike,
  x: JaxArray,
  logdensity: JaxArray,
  complement: JaxArray,
  a: number,
  logdensityOf: (flat: JaxArray) => JaxArray,
): [JaxArray, JaxArray, JaxArray, JaxArray] {
  const [n, d] = x.shape as [number, number];
  const [keyZ, keyPick, keyAccept] = splitList(key, 3);
  // Inverse CDF of g(z) ∝ 1/sqrt(z) on [1/a, a]: z = ((a - 1) u + 1)^2 / a.
  const u = random.uniform(keyZ!, [n]);
  const z = jnp.divide(jnp.square(jnp.add(jnp.multiply(a - 1, u), 1)), a);
  const picks = random.randint(keyPick!, [n], 0, complement.shape[0]!);
  const partners = jnp.take(complement, picks, { axis: 0 });
  const proposal = jnp.add(partners, jnp.multiply(jnp.expandDims(z, 1), jnp.subtract(x, partners)));
  const proposalLogdensity = logdensityOf(proposal);
  let logRatio = jnp.add(
    jnp.multiply(d - 1, jnp.log(z)),
    jnp.subtract(proposalLogdensity, logdensity),
  );
  logRatio = jnp.where(jnp.isnan(logRatio), Number.NEGATIVE_INFINITY, logRatio);
  const accepted = jnp.less(jnp.log(random.uniform(keyAccept!, [n])), logRatio);
  return [
    jnp.where(jnp.expandDims(accepted, 1), proposal, x),
    jnp.where(accepted, proposalLogdensity, logdensity),
    jnp.exp(jnp.minimum(logRatio, 0)),
    accepted,
  ];
}

export function buildKernel(): EnsembleKernel {
  return (key, state, logdensityFn, params = {}) => {
    const a = params.a ?? 2;
    if (!(a > 1)) throw new ValueError(`ensemble: the stretch scale a must exceed 1, got ${a}`);
    const [flat, unravel] = flattenWalkers(state.position);
    const n = flat.shape[0]!;
    checkWalkers("ensemble", n);
    const half = n / 2;
    const logdensityOf = (m: JaxArray) => perWalker(logdensityFn, unravel, m);
    const rows = (m: JaxArray, start: number) =>
      jnp.take(m, jnp.arange(start, start + half), { axis: 0 });
    const [keyFirst, keySecond] = splitList(key, 2);
    const [x1, ld1, p1, acc1] = stretchHalf(
      keyFirst!,
      rows(flat, 0),
      rows(state.logdensity, 0),
      rows(flat, half),
      a,
      logdensityOf,
    );
    const [x2, ld2, p2, acc2] = stretchHalf(
      keySecond!,
      rows(flat, half),
      rows(state.logdensity, half),
      x1,
      a,
      logdensityOf,
    );
    return [
      {
        position: unravel(jnp.concatenate([x1, x2])),
        logdensity: jnp.concatenate([ld1, ld2]),
      },
      {
        acceptanceRate: jnp.concatenate([p1, p2]),
        isAccepted: jnp.concatenate([acc1, acc2]),
      },
    ];
  };
}

/** ensemble(logdensityFn, {a}) -> {init, step}: the stretch-move ensemble sampler. */
export function ensemble<P = PyTree>(
  logdensityFn: LogdensityFn<P>,
  params: EnsembleParameters = {},
) {
  const kernel = buildKernel();
  return {
    init: (position: P) => init(position, logdensityFn),
    step: (key: KeyLike, state: EnsembleState<P>) => kernel(key, state, logdensityFn, params),
  };
}
