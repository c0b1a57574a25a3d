/**
 * jnp.linalg and jax.scipy.linalg against numpy/scipy (test/fixtures/linalg.json, made by
 * scripts/fixtures/gen_linalg.py), gradients against central finite differences on
 * well-conditioned matrices, jit against eager and vmap against a loop, on every backend.
 * cpu/wasm factor in float64 on the host; webgpu runs f32 GPU kernels, hence its looser bounds.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, onBackend } from "../helpers/backends.js";
import { type Decoded, expectClose } from "../helpers/compare.js";
import { loadFixture, readValues } from "../helpers/fixtures.js";

const { numpy: jnp, lax } = jax;
const sla = jax.scipy.linalg;
type Arr = jax.Array;
// biome-ignore lint/suspicious/noExplicitAny: fixture JSON
const F = loadFixture<any>("linalg.json");

const nested = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(nested) : [v as number]);
const arr = (v: unknown) => jnp.array(v as number[][]);

/**
 * Directional derivative of a scalar function: <grad f(x), d> vs (f(x + h d) - f(x - h d)) / 2h.
 * Functions of symmetric matrices that read one triangle (scipy's cholesky, as in JAX) are
 * differentiated along symmetric directions only.
 */
async function checkGrad(
  f: (x: Arr) => Arr,
  x: Arr,
  seed: number,
  rtol: number,
  symmetric = false,
  h = 1e-2,
) {
  const r = jax.random.normal(jax.random.key(seed), x.shape);
  const sym = symmetric ? jnp.divide(jnp.add(r, jnp.swapaxes(r, -1, -2)), 2) : r;
  const d = jnp.divide(sym, jnp.linalg.norm(sym)); // a unit step: h is the distance moved
  const g = jax.grad(f)(x) as Arr;
  const analytic = (await readValues(jnp.sum(jnp.multiply(g, d))))[0]!;
  const plus = (await readValues(f(jnp.add(x, jnp.multiply(d, h)))))[0]!;
  const minus = (await readValues(f(jnp.subtract(x, jnp.multiply(d, h)))))[0]!;
  const numeric = (plus - minus) / (2 * h);
  expect(
    Math.abs(analytic - numeric),
    `grad seed ${seed}: ${analytic} vs ${numeric}`,
  ).toBeLessThanOrEqual(rtol * (Math.abs(numeric) + 1e-3));
}
/** A norm order as the fixture writes numpy's: "None", "inf", "-inf", "fro", "nuc" or a number. */
function normOrd(key: string): jax.numpy.linalg.NormOrd {
  if (key === "None") return null;
  if (key === "inf") return Infinity;
  if (key === "-inf") return -Infinity;
  return Number.isNaN(Number(key)) ? (key as "fro" | "nuc") : Number(key);
}
/** A fixed random weighting, so that a scalar loss depends on every output entry. */
const weights = (shape: readonly number[], seed: number) =>
  jax.random.normal(jax.random.key(seed), shape);
const weighted = (y: Arr, seed: number) => jnp.sum(jnp.multiply(y, weights(y.shape, seed)));

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  const gpu = platform === "webgpu";
  const tol = gpu ? { rtol: 5e-4, atol: 5e-4 } : { rtol: 2e-5, atol: 2e-5 };
  const close = async (x: Arr, expected: unknown, label: string, scale = 1) =>
    expectClose(
      await readValues(x),
      nested(expected) as Decoded,
      tol.rtol * scale,
      tol.atol * scale,
      label,
    );

  describe.skipIf(!available)(`linalg (${platform})`, () => {
    it(
      "cholesky, cho_factor/cho_solve, solve_triangular",
      onBackend(platform, async () => {
        const c = F.cholesky;
        await close(jnp.linalg.cholesky(arr(c.a)), c.l, "cholesky");
        await close(
          jnp.linalg.cholesky(arr(c.a), { upper: true }),
          jnp.swapaxes(arr(c.l), -1, -2).tolist(),
          "upper",
        );
        await close(sla.cholesky(arr(c.a), true), c.l, "scipy lower");
        const cs = F.cho_solve;
        await close(
          sla.choSolve(sla.choFactor(arr(cs.a), true), arr(cs.b)),
          cs.x_lower,
          "cho_solve lower",
        );
        await close(
          sla.choSolve(sla.choFactor(arr(cs.a)), arr(cs.b)),
          cs.x_upper,
          "cho_solve upper",
        );
        const t = F.solve_triangular;
        const T = arr(t.a);
        await close(sla.solveTriangular(T, arr(t.b), { lower: true }), t.lower, "lower");
        await close(
          sla.solveTriangular(T, arr(t.b), { lower: true, trans: 1 }),
          t.lower_trans,
          "trans",
        );
        await close(sla.solveTriangular(jnp.swapaxes(T, 0, 1), arr(t.b)), t.upper, "upper");
        await close(
          sla.solveTriangular(T, arr(t.b), { lower: true, unitDiagonal: true }),
          t.unit,
          "unit",
        );
        await close(sla.solveTriangular(T, arr(t.bvec), 0, true), t.vec, "vector b");
        // Not positive definite: NaNs, as JAX.
        const bad = await readValues(
          jnp.linalg.cholesky(
            jnp.array([
              [1, 2],
              [2, 1],
            ]),
          ),
        );
        expect(bad.every(Number.isNaN)).toBe(true);
      }),
    );

    it(
      "solve, inv, det, slogdet, lu",
      onBackend(platform, async () => {
        const c = F.lu;
        const A = arr(c.a);
        await close(jnp.linalg.solve(A, arr(c.b)), c.solve, "solve", 3);
        await close(
          jnp.linalg.solve(jnp.take(A, 0, { axis: 0 }), arr(c.bvec)),
          c.solve_vec,
          "solve vector",
          3,
        );
        await close(jnp.linalg.inv(A), c.inv, "inv", 3);
        await close(jnp.linalg.det(A), c.det, "det", 3);
        const sd = jnp.linalg.slogdet(A);
        await close(sd.sign, c.sign, "sign");
        await close(sd.logabsdet, c.logabsdet, "logabsdet", 3);
        const A0 = jnp.take(A, 0, { axis: 0 });
        const [f, piv] = sla.luFactor(A0);
        await close(f, c.lu_factor, "lu_factor", 3);
        expect(await readValues(piv)).toEqual(c.piv);
        const [P, L, U] = sla.lu(A0);
        await close(P, c.p, "p");
        await close(L, c.l, "l", 3);
        await close(U, c.u, "u", 3);
        const b0 = jnp.take(arr(c.b), 0, { axis: 0 });
        await close(sla.luSolve([f, piv], b0), c.lu_solve, "lu_solve", 3);
        await close(sla.luSolve([f, piv], b0, 1), c.lu_solve_t, "lu_solve trans", 3);
        await close(
          sla.solve(arr(c.spd), arr(c.spd_b), { assumeA: "pos" }),
          c.pos_solve,
          "assume pos",
          3,
        );
        const singular = jnp.linalg.slogdet(
          jnp.array([
            [1, 2],
            [2, 4],
          ]),
        );
        expect(Math.abs((await readValues(singular.sign))[0]!)).toBe(0);
        expect(await readValues(singular.logabsdet)).toEqual([Number.NEGATIVE_INFINITY]);
      }),
    );

    it(
      "eigh, svd, qr (shapes, reconstruction, values up to sign)",
      onBackend(platform, async () => {
        const e = F.eigh;
        const [w, v] = jnp.linalg.eigh(arr(e.a));
        await close(w!, e.w, "eigenvalues", 4);
        await close(jnp.abs(v!), nested(e.v).map(Math.abs), "|eigenvectors|", 10);
        for (const name of ["tall", "wide", "square"]) {
          const s = F[`svd_${name}`];
          const [U, S, Vt] = jnp.linalg.svd(arr(s.a));
          await close(S!, s.s, `${name} s`, 4);
          expect(U!.shape).toEqual([s.u.length, s.u.length]);
          expect(Vt!.shape).toEqual([s.vt.length, s.vt.length]);
          const thin = jnp.linalg.svd(arr(s.a), { fullMatrices: false });
          const k = Math.min(s.u.length, s.vt.length);
          const rebuilt = jnp.matmul(jnp.multiply(thin[0]!, thin[1]!), thin[2]!);
          await close(rebuilt, s.a, `${name} U S Vt`, 10);
          const eye = (n: number) =>
            Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => +(i === j)));
          await close(
            jnp.matmul(jnp.swapaxes(U!, 0, 1), U!),
            eye(s.u.length),
            `${name} U orthogonal`,
            10,
          );
          await close(
            jnp.matmul(Vt!, jnp.swapaxes(Vt!, 0, 1)),
            eye(s.vt.length),
            `${name} V orthogonal`,
            10,
          );
          expect(thin[0]!.shape).toEqual([s.u.length, k]);
          const q = F[`qr_${name}`];
          const [Q, R] = jnp.linalg.qr(arr(q.a));
          await close(Q!, q.q, `${name} q`, 10);
          await close(R!, q.r, `${name} r`, 10);
          const [Qc, Rc] = jnp.linalg.qr(arr(q.a), "complete");
          await close(jnp.matmul(Qc!, Rc!), q.a, `${name} complete QR`, 10);
          expect(Rc!.shape).toEqual([q.rc.length, q.rc[0].length]);
          await close(jnp.linalg.qr(arr(q.a), "r"), q.r, `${name} r only`, 10);
        }
      }),
    );

    it(
      "lstsq, norm, matrix_power, expm",
      onBackend(platform, async () => {
        const l = F.lstsq;
        const [x, resid, rank, s] = jnp.linalg.lstsq(arr(l.a), arr(l.b));
        await close(x!, l.x, "lstsq x", 4);
        await close(resid!, l.resid, "lstsq resid", 20);
        expect(await readValues(rank!)).toEqual([l.rank]);
        await close(s!, l.s, "lstsq s", 4);
        const n = F.norm;
        const X = arr(n.x);
        for (const [ord, value] of Object.entries(n.matrix))
          await close(jnp.linalg.norm(X, normOrd(ord)), [value], `matrix norm ${ord}`, 4);
        for (const [ord, value] of Object.entries(n.vector))
          await close(jnp.linalg.norm(arr(n.v), normOrd(ord)), [value], `vector norm ${ord}`, 4);
        await close(jnp.linalg.norm(X, { axis: 1 }), n.axis1, "axis 1");
        const k = jnp.linalg.norm(X, 1, 0, true);
        expect(k.shape).toEqual([1, 5]);
        await close(k, n.axis0_ord1_keepdims, "ord 1 axis 0 keepdims");
        const mp = F.matrix_power;
        for (const p of [0, 1, 2, 3, 5, -1, -2])
          await close(jnp.linalg.matrixPower(arr(mp.a), p), mp[String(p)], `power ${p}`, 5);
        for (const [name, c] of Object.entries(F.expm) as [
          string,
          { a: number[][]; expm: number[][] },
        ][])
          await close(
            sla.expm(arr(c.a), { upperTriangular: name === "upper" }),
            c.expm,
            `expm ${name}`,
            name === "large" ? 50 : 10,
          );
      }),
    );

    it(
      "gradients match finite differences",
      onBackend(platform, async () => {
        const rt = gpu ? 2e-2 : 5e-3;
        const A = arr(F.cholesky.a[0]);
        const G = arr(F.lu.a[0]);
        const S = arr(F.eigh.a);
        const b = arr(F.cho_solve.b);
        await checkGrad((a) => weighted(jnp.linalg.cholesky(a), 1), A, 11, rt);
        await checkGrad(
          (a) => weighted(sla.choSolve(sla.choFactor(a, true), b), 2),
          A,
          12,
          rt,
          true,
        );
        const Tl = jnp.linalg.cholesky(A);
        await checkGrad((t) => weighted(sla.solveTriangular(t, b, { lower: true }), 3), Tl, 13, rt);
        await checkGrad(
          (bb) => weighted(sla.solveTriangular(Tl, bb, { lower: true, trans: 1 }), 4),
          b,
          14,
          rt,
        );
        await checkGrad((a) => weighted(jnp.linalg.solve(a, jnp.ones([6, 2])), 5), G, 15, rt);
        await checkGrad((a) => weighted(jnp.linalg.inv(a), 6), G, 16, rt);
        await checkGrad((a) => jnp.linalg.det(a), G, 17, rt);
        await checkGrad((a) => jnp.linalg.slogdet(a).logabsdet, G, 18, rt);
        await checkGrad((a) => weighted(jnp.linalg.eigh(a)[0]!, 7), S, 19, rt, true);
        // Eigenvector signs are arbitrary: differentiate a sign-invariant function of them.
        await checkGrad(
          (a) => weighted(jnp.square(jnp.linalg.eigh(a)[1]!), 8),
          S,
          20,
          rt * 4,
          true,
          3e-3,
        );
        const M = arr(F.svd_tall.a);
        await checkGrad((a) => weighted(jnp.linalg.svd(a, { computeUv: false }), 9), M, 21, rt);
        await checkGrad(
          (a) => {
            const [u, s, vt] = jnp.linalg.svd(a, { fullMatrices: false });
            return weighted(jnp.matmul(jnp.multiply(jnp.square(u!), s!), jnp.square(vt!)), 10);
          },
          M,
          22,
          rt * 4,
          false,
          3e-3,
        );
        await checkGrad(
          (a) => {
            const [q, r] = jnp.linalg.qr(a);
            return jnp.add(weighted(q!, 23), weighted(r!, 24));
          },
          M,
          25,
          rt,
        );
        await checkGrad((a) => weighted(sla.expm(a), 26), arr(F.expm.medium.a), 27, rt);
        await checkGrad((a) => jnp.linalg.norm(a, "nuc"), M, 28, rt);
        // The MVN log-density path samplers take: cholesky, triangular solve, log-diagonal.
        const mvn = (cov: Arr) => {
          const L = jnp.linalg.cholesky(cov);
          const z = sla.solveTriangular(L, jnp.ones([5]), { lower: true });
          return jnp.add(
            jnp.sum(jnp.square(z)),
            jnp.multiply(2, jnp.sum(jnp.log(jnp.diagonal(L)))),
          );
        };
        await checkGrad(mvn, A, 29, rt);
      }),
    );

    it(
      "jit matches eager and vmap matches a loop",
      onBackend(platform, async () => {
        const A = arr(F.cholesky.a);
        const f = (a: Arr) => jnp.linalg.slogdet(a).logabsdet;
        await close(jax.jit(f)(A), await readValues(f(A)), "jit slogdet");
        const g = (a: Arr) => jnp.linalg.solve(a, jnp.ones([5]));
        const batched = jax.vmap(g)(A);
        for (let i = 0; i < 3; i++)
          await close(
            jnp.take(batched, i, { axis: 0 }),
            await readValues(g(jnp.take(A, i, { axis: 0 }))),
            `vmap ${i}`,
          );
        const h = (a: Arr) => jnp.linalg.eigh(a)[0]!;
        await close(
          jax.vmap(h)(A),
          await readValues(jnp.stack([0, 1, 2].map((i) => h(jnp.take(A, i, { axis: 0 }))))),
          "vmap eigh",
        );
        const gradBatched = jax.vmap(jax.grad((a: Arr) => jnp.sum(jnp.linalg.cholesky(a))))(
          A,
        ) as Arr;
        const gradLoop = [0, 1, 2].map(
          (i) =>
            jax.grad((a: Arr) => jnp.sum(jnp.linalg.cholesky(a)))(
              jnp.take(A, i, { axis: 0 }),
            ) as Arr,
        );
        await close(gradBatched, await readValues(jnp.stack(gradLoop)), "vmap grad cholesky", 5);
        const jaxpr = jax.makeJaxpr((a: Arr) => lax.linalg.cholesky(a, false))(
          jnp.take(A, 0, { axis: 0 }),
        );
        expect(jaxpr.toString()).toContain("cholesky");
      }),
    );

    it("rejects bad shapes with named errors", () => {
      expect(() => jnp.linalg.cholesky(jnp.ones([2, 3]))).toThrow(/cholesky.*square/);
      expect(() => jnp.linalg.solve(jnp.eye(3), jnp.ones([4]))).toThrow(/solve.*\(4, 1\)/);
      expect(() => sla.solveTriangular(jnp.eye(3), jnp.ones([2, 2]))).toThrow(/solve_triangular/);
      expect(() => jnp.linalg.norm(jnp.ones([2, 2, 2]), 2)).toThrow(/norm/);
      expect(() => lax.linalg.cholesky(jnp.ones([2, 2], { dtype: "int32" }))).toThrow(/float32/);
    });
  });
}
