/** Statistical tests of the samplers through the MCMC driver, on cpu with fixed keys (see statistical.ts). */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import type { MCMC } from "../../src/infer/mcmc.js";
import { expectWithin, host, nuts, sample } from "./statistical.js";

const { infer, numpy: jnp, random } = jax;
type Arr = jax.Array;

describe("NUTS with a dense mass matrix on a correlated 2-d Gaussian", () => {
  it("means, variances and the correlation within 2.33 MCSE", async () => {
    const rho = 0.9;
    const sd = [1, 2];
    const cov = [
      [sd[0]! ** 2, rho * sd[0]! * sd[1]!],
      [rho * sd[0]! * sd[1]!, sd[1]! ** 2],
    ];
    const precision = jnp.linalg.inv(jnp.array(cov));
    const mean = jnp.array([1, -1]);
    const logdensity = (x: Arr) => {
      const r = jnp.subtract(x, mean);
      return jnp.multiply(-0.5, jnp.dot(r, jnp.matmul(precision, r)));
    };
    const mcmc = await sample(nuts(logdensity, { denseMass: true }), jnp.zeros([2]), {
      numSamples: 1000,
    });
    const x = mcmc.getSamples({ groupByChain: true }) as Arr; // [4, 1000, 2]
    const component = (i: number) => jnp.take(x, i, { axis: 2 });
    const z = [0, 1].map((i) => jnp.divide(jnp.subtract(component(i), [1, -1][i]!), sd[i]!));
    const check = (name: string, draws: Arr, truth: number) =>
      expectWithin(
        name,
        jnp.mean(draws).item() as number,
        truth,
        infer.mcse(draws) as number,
        2.33,
      );
    check("mean[0]", component(0), 1);
    check("mean[1]", component(1), -1);
    // With the true means and sds known, E[z^2] = 1 and E[z0 z1] = rho.
    check("var[0] / sd0^2", jnp.square(z[0]!), 1);
    check("var[1] / sd1^2", jnp.square(z[1]!), 1);
    check("correlation", jnp.multiply(z[0]!, z[1]!), rho);
  }, 60_000);
});

describe("NUTS on a linear regression", () => {
  it("recovers the exact Gaussian posterior of the coefficients (known noise, flat prior)", async () => {
    const n = 40;
    const xs = random.normal(random.key(21), [n, 2]);
    const X = jnp.concatenate([jnp.ones([n, 1]), xs], 1);
    const trueBeta = jnp.array([1.5, -2, 0.7]);
    const y = jnp.add(jnp.matmul(X, trueBeta), random.normal(random.key(22), [n]));
    const logdensity = (p: { beta: Arr }) =>
      jnp.multiply(-0.5, jnp.sum(jnp.square(jnp.subtract(y, jnp.matmul(X, p.beta)))));
    const mcmc = await sample(nuts(logdensity), { beta: jnp.zeros([3]) });
    // Posterior N(beta_hat, (X^T X)^-1): the least-squares solution and its covariance.
    const xtx = jnp.matmul(jnp.transpose(X), X);
    const betaHat = host(jnp.linalg.solve(xtx, jnp.matmul(jnp.transpose(X), y)));
    const postSd = host(jnp.sqrt(jnp.diagonal(jnp.linalg.inv(xtx))));
    mcmc.summary().rows.forEach((r, i) => {
      expectWithin(`beta[${i}] mean`, r.mean, betaHat[i]!, r.mcseMean, 4);
      expectWithin(`beta[${i}] sd`, r.sd, postSd[i]!, r.mcseSd, 4);
      // The data were drawn from trueBeta: it lies within 4 posterior sds.
      expect(Math.abs(r.mean - host(trueBeta)[i]!) / postSd[i]!).toBeLessThan(4);
    });
  }, 60_000);
});

// Eight schools, non-centered, as posteriordb's eight_schools_noncentered.stan (tau sampled on
// the log scale with its Jacobian); data from Rubin (1981).
const schoolsY = jnp.array([28, 8, -3, 7, -1, 1, 18, 12]);
const schoolsSigma = jnp.array([15, 10, 16, 11, 9, 11, 10, 18]);
const halfNormal = (x: Arr, scale: Arr | number) =>
  jnp.sum(jnp.multiply(-0.5, jnp.square(jnp.divide(x, scale))));
interface Schools {
  mu: Arr;
  logTau: Arr;
  thetaTilde: Arr;
}
function eightSchools(p: Schools): Arr {
  const tau = jnp.exp(p.logTau);
  const theta = jnp.add(p.mu, jnp.multiply(tau, p.thetaTilde));
  const tauPrior = jnp.add(jnp.negative(jnp.log1p(jnp.square(jnp.divide(tau, 5)))), p.logTau);
  return jnp.sum(
    jnp.stack([
      halfNormal(p.mu, 5),
      tauPrior,
      halfNormal(p.thetaTilde, 1),
      halfNormal(jnp.subtract(schoolsY, theta), schoolsSigma),
    ]),
  );
}

describe("NUTS on eight schools (non-centered)", () => {
  it("matches posteriordb's reference posterior means", async () => {
    // stan-dev/posteriordb, reference_posteriors/summary_statistics/mean/mean/
    // eight_schools-eight_schools_noncentered.json (10,000 draws; mean and its MCSE).
    const reference = {
      mu: [4.41051833695493, 0.0330374705950917],
      tau: [3.60205952364059, 0.0318615135640706],
      theta: [
        [6.15050229334425, 0.0557375282295219],
        [4.9395811407422, 0.0462293788624847],
        [3.90590609001582, 0.0542313705632124],
        [4.79601675138494, 0.0474935816762281],
        [3.6144363246799, 0.0461450610244603],
        [4.0511475789675, 0.0485195392528031],
        [6.31716975886893, 0.0498766794075794],
        [4.88399694353288, 0.0542511606560972],
      ],
    };
    const init = {
      mu: random.normal(random.key(1), [4]),
      logTau: random.normal(random.key(2), [4]),
      thetaTilde: random.normal(random.key(3), [4, 8]),
    };
    const mcmc = await sample(nuts(eightSchools), init, { numSamples: 1000 });
    const draws = mcmc.getSamples({ groupByChain: true }) as Schools;
    const tau = jnp.exp(draws.logTau);
    const theta = jnp.add(
      jnp.expandDims(draws.mu, -1),
      jnp.multiply(jnp.expandDims(tau, -1), draws.thetaTilde),
    );
    const rows = infer.summary({ mu: draws.mu, tau, theta }).rows;
    const refs = [reference.mu, reference.tau, ...reference.theta];
    rows.forEach((r, i) => {
      const [refMean, refMcse] = refs[i]!;
      expectWithin(r.name, r.mean, refMean!, Math.hypot(r.mcseMean, refMcse!), 4);
      expect(r.rHat).toBeLessThan(1.05);
    });
    const divergences = host(mcmc.getExtraFields().diverging!).filter((v) => v !== 0).length;
    expect(divergences).toBeLessThan(20); // of 4000: the non-centered form rarely diverges
  }, 60_000);
});

describe("Neal's funnel", () => {
  // v ~ N(0, 3), x_i ~ N(0, exp(v / 2)), i < 9 (Neal 2003, "Slice sampling", section 8).
  const centered = (p: { v: Arr; x: Arr }) =>
    jnp.add(
      halfNormal(p.v, 3),
      jnp.subtract(
        halfNormal(p.x, jnp.exp(jnp.divide(p.v, 2))),
        jnp.multiply(9, jnp.divide(p.v, 2)),
      ),
    );
  // The same model with x = exp(v / 2) z, z ~ N(0, 1).
  const nonCentered = (p: { v: Arr; z: Arr }) => jnp.add(halfNormal(p.v, 3), halfNormal(p.z, 1));

  it("the centered form diverges, the non-centered one does not", async () => {
    const options = { numWarmup: 300, numSamples: 300, numChains: 2 };
    const c = await sample(nuts(centered), { v: jnp.array(0), x: jnp.ones([9]) }, options, 1);
    const nc = await sample(nuts(nonCentered), { v: jnp.array(0), z: jnp.ones([9]) }, options, 1);
    const count = (m: MCMC) => host(m.getExtraFields().diverging!).filter((v) => v !== 0).length;
    expect(count(c)).toBeGreaterThan(0);
    expect(count(nc)).toBe(0);
  }, 60_000);
});
