/**
 * Eight schools (Rubin 1981; Gelman et al., Bayesian Data Analysis, section 5.5), non-centered,
 * sampled with NUTS on four chains, as in numpyro's and Stan's getting-started examples.
 *
 *   npx tsx examples/infer/eight_schools.ts            # 1000 warmup + 1000 draws per chain
 *   EXAMPLE_SMALL=1 npx tsx examples/infer/eight_schools.ts   # a quick smoke run
 */
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
const small = Boolean(process.env.EXAMPLE_SMALL) || process.argv.includes("--small");

const y = jnp.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = jnp.array([15, 10, 16, 11, 9, 11, 10, 18]);

/** log N(x | loc, scale) summed, without the constant. */
const normalLogpdf = (x: jax.Array, loc: jax.Array | number, scale: jax.Array | number) =>
  jnp.sum(
    jnp.subtract(
      jnp.multiply(-0.5, jnp.square(jnp.divide(jnp.subtract(x, loc), scale))),
      jnp.log(scale),
    ),
  );

interface Params {
  mu: jax.Array;
  logTau: jax.Array;
  thetaTilde: jax.Array;
}

// mu ~ N(0, 5), tau ~ HalfCauchy(5) (sampled as log tau, with its Jacobian),
// theta_tilde ~ N(0, 1), theta = mu + tau * theta_tilde, y ~ N(theta, sigma).
function logdensityFn(p: Params): jax.Array {
  const tau = jnp.exp(p.logTau);
  const theta = jnp.add(p.mu, jnp.multiply(tau, p.thetaTilde));
  const halfCauchy = jnp.negative(jnp.log1p(jnp.square(jnp.divide(tau, 5))));
  return jnp.sum(
    jnp.stack([
      normalLogpdf(p.mu, 0, 5),
      jnp.add(halfCauchy, p.logTau),
      normalLogpdf(p.thetaTilde, 0, 1),
      normalLogpdf(y, theta, sigma),
    ]),
  );
}

const numChains = 4;
const mcmc = new jax.infer.MCMC(new jax.infer.NUTS({ logdensityFn }), {
  numWarmup: small ? 100 : 1000,
  numSamples: small ? 100 : 1000,
  numChains,
});
const initParams = {
  mu: jax.random.normal(jax.random.key(1), [numChains]),
  logTau: jax.random.normal(jax.random.key(2), [numChains]),
  thetaTilde: jax.random.normal(jax.random.key(3), [numChains, 8]),
};
const start = performance.now();
await mcmc.run(jax.random.key(0), { initParams });
const seconds = (performance.now() - start) / 1000;
const draws = mcmc.getSamples({ groupByChain: true }) as Params;
const tau = jnp.exp(draws.logTau);
const theta = jnp.add(
  jnp.expandDims(draws.mu, -1),
  jnp.multiply(jnp.expandDims(tau, -1), draws.thetaTilde),
);
jax.infer.printSummary({ mu: draws.mu, tau, theta }, 0.9, true, {
  divergences: mcmc.getExtraFields().diverging,
});
console.log(
  `NUTS, ${mcmc.numChains} chains ${mcmc.chainMethod}, ${mcmc.numWarmup} warmup + ${mcmc.numSamples} draws each, backend ${jax.defaultBackend()}: ${seconds.toFixed(1)} s`,
);
