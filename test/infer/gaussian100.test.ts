/** NUTS on a 100-d Gaussian with known diagonal covariance (its own file: the slowest statistical test). */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { expectWithin, host, nuts, sample } from "./statistical.js";

const { numpy: jnp, random } = jax;
type Arr = jax.Array;

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
