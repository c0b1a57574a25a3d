/**
 * jax.scipy.stats: log-densities and distribution functions as in JAX, one namespace per
 * distribution (`stats.norm.logpdf(x, loc, scale)`, `stats.poisson.logpmf(k, mu, loc)`).
 */
export * as norm from "./norm.js";
export * as poisson from "./poisson.js";
