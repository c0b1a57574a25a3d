/**
 * Elliptical slice sampling for a Gaussian prior N(mean, cov) times a likelihood (Murray, Adams
 * & MacKay 2010, "Elliptical slice sampling", AISTATS, figure 2): no tuning, always moves. The
 * bracket shrinks in a whileLoop until the likelihood threshold is met, so it is jittable and
 * vmappable (each chain shrinks as often as it needs). mean and cov live on the flat position:
 * cov is a vector of variances or a covariance matrix.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import type { PyTree } from "../core/pytree.js";
import { fmtShape } from "../core/shape.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";
import * as random from "../random/index.js";
import { type KeyLike, splitList } from "../random/keys.js";
import { whileLoop } from "../transforms/control_flow.js";
import { type LogdensityFn, scalarLogdensity } from "./base.js";
import { ravelPytree } from "./ravel.js";

export interface EllipticalSliceState<P = PyTree> {
  readonly position: P;
  /** The log likelihood at position (the prior is not included). */
  readonly logdensity: JaxArray;
}

export interface EllipticalSliceInfo {
  /** The auxiliary prior draw that defines the ellipse. */
  readonly momentum: JaxArray;
  readonly theta: JaxArray;
  /** How many likelihood evaluations the bracket shrinking took. */
  readonly numSubiter: JaxArray;
}

export interface EllipticalSliceParameters {
  /** Prior mean over the flat position. */
  mean: JaxArray | number[] | number;
  /** Prior variances (a vector) or covariance matrix over the flat position. */
  cov: JaxArray | number[] | number[][];
}

export type EllipticalSliceKernel = <P = PyTree>(
  key: KeyLike,
  state: EllipticalSliceState<P>,
  loglikelihoodFn: LogdensityFn<P>,
  params: EllipticalSliceParameters,
) => [EllipticalSliceState<P>, EllipticalSliceInfo];

export function init<P>(position: P, loglikelihoodFn: LogdensityFn<P>): EllipticalSliceState<P> {
  const logdensity = scalarLogdensity(
    "ellipticalSlice.init",
    loglikelihoodFn as LogdensityFn,
    position as PyTree,
  );
  return { position, logdensity };
}

function priorNoise(key: KeyLike, cov: JaxArray, d: number): JaxArray {
  if (
    !(
      (cov.ndim === 1 && cov.shape[0] === d) ||
      (cov.ndim === 2 && cov.shape[0] === d && cov.shape[1] === d)
    )
  )
    throw new ValueError(
      `ellipticalSlice: cov must have shape (${d},) or (${d}, ${d}) for a position of ${d} scalars, got ${fmtShape(cov.shape)}`,
    );
  const z = random.normal(key, [d]);
  return cov.ndim === 1 ? jnp.multiply(jnp.sqrt(cov), z) : jnp.matmul(jnp.linalg.cholesky(cov), z);
}

export function buildKernel(): EllipticalSliceKernel {
  return (key, state, loglikelihoodFn, params) => {
    const [x, unravel] = ravelPytree(state.position);
    const d = x.shape[0]!;
    const mean = jnp.broadcastTo(asArray("ellipticalSlice", params.mean, "float32"), [d]);
    const cov = asArray("ellipticalSlice", params.cov, "float32");
    const [keyNu, keyU, keyTheta, keyLoop] = splitList(key, 4);
    const nu = priorNoise(keyNu!, cov, d);
    const logThreshold = jnp.add(state.logdensity, jnp.log(random.uniform(keyU!)));
    const theta0 = random.uniform(keyTheta!, [], { minval: 0, maxval: 2 * Math.PI });
    const centered = jnp.subtract(x, mean);
    const onEllipse = (theta: JaxArray) =>
      jnp.add(
        jnp.add(jnp.multiply(centered, jnp.cos(theta)), jnp.multiply(nu, jnp.sin(theta))),
        mean,
      );
    const loglik = (y: JaxArray) =>
      scalarLogdensity("ellipticalSlice", loglikelihoodFn as LogdensityFn, unravel(y) as PyTree);
    type Carry = {
      key: KeyLike;
      theta: JaxArray;
      lower: JaxArray;
      upper: JaxArray;
      position: JaxArray;
      logdensity: JaxArray;
      numSubiter: JaxArray;
    };
    const first = onEllipse(theta0);
    const out = whileLoop<Carry>(
      (c) => jnp.logicalNot(jnp.greater(c.logdensity, logThreshold)),
      (c) => {
        // Shrink the bracket toward theta = 0 (the current point) and draw a new angle in it.
        const lower = jnp.where(jnp.less(c.theta, 0), c.theta, c.lower);
        const upper = jnp.where(jnp.less(c.theta, 0), c.upper, c.theta);
        const [next, k] = splitList(c.key, 2);
        const theta = random.uniform(k!, [], { minval: lower, maxval: upper });
        const position = onEllipse(theta);
        return {
          key: next!,
          theta,
          lower,
          upper,
          position,
          logdensity: loglik(position),
          numSubiter: jnp.add(c.numSubiter, 1),
        };
      },
      {
        key: keyLoop!,
        theta: theta0,
        lower: jnp.subtract(theta0, 2 * Math.PI),
        upper: theta0,
        position: first,
        logdensity: loglik(first),
        numSubiter: jnp.array(1, { dtype: "int32" }),
      },
    );
    return [
      { position: unravel(out.position), logdensity: out.logdensity },
      { momentum: nu, theta: out.theta, numSubiter: out.numSubiter },
    ];
  };
}

/** ellipticalSlice(loglikelihoodFn, {mean, cov}) -> {init, step}. */
export function ellipticalSlice<P = PyTree>(
  loglikelihoodFn: LogdensityFn<P>,
  params: EllipticalSliceParameters,
) {
  const kernel = buildKernel();
  return {
    init: (position: P) => init(position, loglikelihoodFn),
    step: (key: KeyLike, state: EllipticalSliceState<P>) =>
      kernel(key, state, loglikelihoodFn, params),
  };
}
