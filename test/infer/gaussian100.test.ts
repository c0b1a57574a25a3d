/**
 * NUTS on a 100-d Gaussian with known diagonal covariance (its own file: it is the slowest
 * statistical test). Statistical tests on cpu with fixed keys. Tolerances
 * are in units of the Monte Carlo standard error (Vehtari et al. 2021's MCSE, from
 * infer.summary/infer.mcse), so they shrink with the effective sample size and stay honest:
 * a bound of k MCSE fails with probability about 2 * Phi(-k) per quantity for a correct sampler.
 * Where many quantities are checked at once (100 dimensions), k is 4 (Bonferroni over 200 checks
 * gives about 1.3% at most); where the issue fixes it (the correlated Gaussian), k is 2.33.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import type { MCMCOptions } from "../../src/infer/mcmc.js";
import type { AnyLogdensityFn, MCMCKernel, NUTSOptions } from "../../src/infer/samplers.js";

const { infer, numpy: jnp, random } = jax;
type Arr = jax.Array;

const host = (x: Arr) => Array.from(x.dataSync() as Float32Array, Number);

/** |estimate - truth| <= k * mcse, with the numbers in the failure message. */
function expectWithin(name: string, estimate: number, truth: number, mcse: number, k: number) {
  const z = Math.abs(estimate - truth) / mcse;
  expect(z, `${name}: estimate ${estimate}, truth ${truth}, mcse ${mcse}`).toBeLessThanOrEqual(k);
}

async function sample(
  sampler: MCMCKernel,
  initParams: jax.PyTree,
  options: Partial<MCMCOptions> = {},
  seed = 0,
) {
  const mcmc = new infer.MCMC(sampler, {
    numWarmup: 500,
    numSamples: 500,
    numChains: 4,
    // Sequential chains draw exactly what vectorized ones draw (test/infer/mcmc.test.ts) and
    // today run NUTS several times faster on cpu (jit's batched whileLoop is not compiled yet).
    chainMethod: "sequential",
    progressBar: false,
    ...options,
  });
  await mcmc.run(random.key(seed), { initParams });
  return mcmc;
}

const nuts = (logdensityFn: unknown, options: Partial<NUTSOptions> = {}) =>
  new infer.NUTS({ logdensityFn: logdensityFn as AnyLogdensityFn, ...options });

describe("NUTS on a 100-d Gaussian with known diagonal covariance", () => {
  it("recovers every mean and sd within 4 MCSE, with R-hat near 1", async () => {
    const d = 100;
    const sds = Array.from({ length: d }, (_, i) => 0.5 + (2.5 * i) / (d - 1));
    const scale = jnp.array(sds);
    const logdensity = (x: Arr) => jnp.multiply(-0.5, jnp.sum(jnp.square(jnp.divide(x, scale))));
    const init = random.normal(random.key(11), [4, d]);
    const mcmc = await sample(nuts(logdensity), init, { numWarmup: 300, numSamples: 300 });
    const rows = mcmc.summary().rows;
    expect(rows).toHaveLength(d);
    rows.forEach((r, i) => {
      expectWithin(`mean[${i}]`, r.mean, 0, r.mcseMean, 4);
      expectWithin(`sd[${i}]`, r.sd, sds[i]!, r.mcseSd, 4);
      expect(r.rHat).toBeLessThan(1.05);
    });
    // The adapted diagonal inverse mass matrix tracks the variances (within 50% with 4 chains).
    const invMass = host(
      jnp.mean((mcmc.adaptedParameters as { inverseMassMatrix: Arr }).inverseMassMatrix, 0),
    );
    invMass.forEach((v, i) => {
      expect(v / sds[i]! ** 2).toBeGreaterThan(0.5);
      expect(v / sds[i]! ** 2).toBeLessThan(1.5);
    });
    expect(host(mcmc.getExtraFields().diverging!).every((v) => v === 0)).toBe(true);
  }, 60_000);
});
