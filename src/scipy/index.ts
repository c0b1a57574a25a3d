/** jax.scipy: special functions, probability distributions, linear algebra, optimizers, interpolation. */
export * as interpolate from "./interpolate/index.js";
export * as linalg from "./linalg/index.js";
export * as optimize from "./optimize/index.js";
export * as special from "./special/index.js";
export * as stats from "./stats/index.js";
