/**
 * Shared pieces of the samplers' statistical tests (posterior.test.ts, gaussian100.test.ts).
 * Tolerances are in units of the Monte Carlo standard error (Vehtari et al. 2021's MCSE, from
 * infer.summary/infer.mcse), so they shrink with the effective sample size and stay honest:
 * a bound of k MCSE fails with probability about 2 * Phi(-k) per quantity for a correct sampler.
 * Where many quantities are checked at once (100 dimensions), k is 4 (Bonferroni over 200 checks
 * gives about 1.3% at most); where the issue fixes it (the correlated Gaussian), k is 2.33.
 */
import { expect } from "vitest";
import * as jax from "../../src/index.js";
import type { MCMCOptions } from "../../src/infer/mcmc.js";
import type { AnyLogdensityFn, MCMCKernel, NUTSOptions } from "../../src/infer/samplers.js";

const { infer, random } = jax;

export const host = (x: jax.Array): number[] => Array.from(x.dataSync() as Float32Array, Number);

/** |estimate - truth| <= k * mcse, with the numbers in the failure message. */
export function expectWithin(
  name: string,
  estimate: number,
  truth: number,
  mcse: number,
  k: number,
): void {
  const z = Math.abs(estimate - truth) / mcse;
  expect(z, `${name}: estimate ${estimate}, truth ${truth}, mcse ${mcse}`).toBeLessThanOrEqual(k);
}

/** 4 chains of 500 warmup + 500 draws through the driver, with a fixed key. */
export async function sample(
  sampler: MCMCKernel,
  initParams: jax.PyTree,
  options: Partial<MCMCOptions> = {},
  seed = 0,
) {
  const mcmc = new infer.MCMC(sampler, {
    numWarmup: 500,
    numSamples: 500,
    numChains: 4,
    progressBar: false,
    ...options,
  });
  await mcmc.run(random.key(seed), { initParams });
  return mcmc;
}

export const nuts = (logdensityFn: unknown, options: Partial<NUTSOptions> = {}) =>
  new infer.NUTS({ logdensityFn: logdensityFn as AnyLogdensityFn, ...options });
