/**
 * Random-walk Metropolis on a 1-d Gaussian mixture with many chains at once (vmapped), the
 * example from the JAX literature: components loc [-2, 0, 3.2, 2.5], scale [1.2, 1, 5, 2.8],
 * weights [.2, .3, .1, .4]. Prints the summary of the first chains and compares the pooled
 * mean and variance with the mixture's exact moments.
 *
 *   npx tsx examples/infer/rmh_mixture.ts                 # 10,000 chains x 1,000 draws
 *   CHAINS=100000 npx tsx examples/infer/rmh_mixture.ts
 *   EXAMPLE_SMALL=1 npx tsx examples/infer/rmh_mixture.ts  # a quick smoke run
 */
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
const small = Boolean(process.env.EXAMPLE_SMALL) || process.argv.includes("--small");
const numChains = Number(process.env.CHAINS ?? (small ? 256 : 10_000));
const numSamples = small ? 200 : 1000;

const loc = [-2, 0, 3.2, 2.5];
const scale = [1.2, 1, 5, 2.8];
const weights = [0.2, 0.3, 0.1, 0.4];
const locs = jnp.array(loc);
const scales = jnp.array(scale);
const logWeights = jnp.log(jnp.array(weights));

/** log sum_k w_k N(x | loc_k, scale_k). */
function logdensityFn(x: jax.Array): jax.Array {
  const z = jnp.divide(jnp.subtract(x, locs), scales);
  const terms = jnp.subtract(
    jnp.subtract(logWeights, jnp.multiply(0.5, jnp.square(z))),
    jnp.add(jnp.log(scales), 0.5 * Math.log(2 * Math.PI)),
  );
  return jax.nn.logsumexp(terms);
}

const mcmc = new jax.infer.MCMC(new jax.infer.RMH({ logdensityFn, scale: 2.5 }), {
  numWarmup: small ? 100 : 500,
  numSamples,
  numChains,
});
const initParams = jnp.multiply(3, jax.random.normal(jax.random.key(1), [numChains]));
const start = performance.now();
await mcmc.run(jax.random.key(0), { initParams });
const seconds = (performance.now() - start) / 1000;

const draws = mcmc.getSamples({ groupByChain: true }) as jax.Array;
const firstChains = jnp.take(draws, jnp.arange(0, Math.min(8, numChains)), { axis: 0 });
jax.infer.printSummary({ x: firstChains });
const mean = weights.reduce((s, w, k) => s + w * loc[k]!, 0);
const variance =
  weights.reduce((s, w, k) => s + w * (scale[k]! ** 2 + loc[k]! ** 2), 0) - mean ** 2;
const acceptance = jnp.mean(mcmc.getExtraFields().acceptProb!).item() as number;
console.log(
  `pooled over ${numChains} chains: mean ${(jnp.mean(draws).item() as number).toFixed(3)} (exact ${mean.toFixed(3)}), variance ${(jnp.var(draws).item() as number).toFixed(3)} (exact ${variance.toFixed(3)}), acceptance ${acceptance.toFixed(2)}`,
);
const chainSteps = numChains * (mcmc.numWarmup + numSamples);
console.log(
  `${numChains} chains ${mcmc.chainMethod}: ${seconds.toFixed(1)} s, ${(chainSteps / seconds / 1e6).toFixed(2)} M chain-steps/s`,
);
