/**
 * jax.scipy.stats: log-densities and distribution functions as in JAX, one namespace per
 * distribution (`stats.norm.logpdf(x, loc, scale)`, `stats.poisson.logpmf(k, mu, loc)`).
 */

export * as bernoulli from "./bernoulli.js";
export * as beta from "./beta.js";
export * as binom from "./binom.js";
export * as cauchy from "./cauchy.js";
export * as chi2 from "./chi2.js";
export * as dirichlet from "./dirichlet.js";
export * as expon from "./expon.js";
export * as gamma from "./gamma.js";
export * as geom from "./geom.js";
export * as halfcauchy from "./halfcauchy.js";
export * as halfnorm from "./halfnorm.js";
export * as invgamma from "./invgamma.js";
export * as laplace from "./laplace.js";
export * as logistic from "./logistic.js";
export * as lognorm from "./lognorm.js";
export * as multinomial from "./multinomial.js";
export * as multivariateNormal from "./multivariate_normal.js";
export * as nbinom from "./nbinom.js";
export * as norm from "./norm.js";
export * as pareto from "./pareto.js";
export * as poisson from "./poisson.js";
export * as t from "./t.js";
export * as truncnorm from "./truncnorm.js";
export * as uniform from "./uniform.js";
export * as vonmises from "./vonmises.js";
