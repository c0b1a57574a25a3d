/**
 * jax.scipy.optimize.minimize against scipy on the same problems (test/fixtures/optimize.json,
 * made by scripts/fixtures/gen_linalg.py): Rosenbrock in 2 and 5 dimensions, a bounded
 * Rosenbrock and a 20-parameter least-squares fit. Iteration counts are printed next to
 * scipy's (float64) for the record; they are not asserted beyond a generous ceiling.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, onBackend } from "../helpers/backends.js";
import { loadFixture } from "../helpers/fixtures.js";

const { numpy: jnp } = jax;
const { minimize } = jax.scipy.optimize;
type Arr = jax.Array;
interface Ref {
  x: number[];
  fun: number;
  nit: number;
  nfev: number;
}
interface Problem {
  x0: number[];
  bfgs?: Ref;
  lbfgsb: Ref;
  a?: number[][];
  y?: number[];
  solution?: number[];
  bounds?: [number, number][];
}
const F = loadFixture<Record<string, Problem>>("optimize.json");

/** sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 */
function rosen(x: Arr): Arr {
  const n = x.shape[0]!;
  const head = jax.lax.sliceInDim(x, 0, n - 1, 1, 0);
  const tail = jax.lax.sliceInDim(x, 1, n, 1, 0);
  return jnp.sum(
    jnp.add(
      jnp.multiply(100, jnp.square(jnp.subtract(tail, jnp.square(head)))),
      jnp.square(jnp.subtract(1, head)),
    ),
  );
}
const methods = [
  ["BFGS", "bfgs"],
  ["L-BFGS-B", "lbfgsb"],
] as const;
const report = (what: string, r: { nit: number; nfev: number }, ref: Ref) =>
  console.log(
    `[optimize] ${what}: tfjax nit=${r.nit} nfev=${r.nfev} | scipy nit=${ref.nit} nfev=${ref.nfev}`,
  );

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  // minimize reads values synchronously on the host: webgpu in Node cannot.
  if (platform === "webgpu") continue;
  describe.skipIf(!available)(`scipy.optimize.minimize (${platform})`, () => {
    for (const [method, key] of methods)
      for (const name of ["rosen2", "rosen5"]) {
        it(
          `${method} recovers the Rosenbrock minimum (${name})`,
          onBackend(platform, () => {
            const c = F[name]!;
            const r = minimize(rosen, jnp.array(c.x0), { method });
            report(`${name} ${method} (${platform})`, r, c[key]!);
            expect(r.success, r.message).toBe(true);
            for (const v of r.x.tolist() as number[]) expect(v).toBeCloseTo(1, 2);
            expect(r.fun.item() as number).toBeLessThan(1e-5);
            expect(r.nit).toBeLessThan(4 * c[key]!.nit + 20);
            expect(r.jac.shape).toEqual([c.x0.length]);
            expect(r.nfev).toBe(r.njev);
            if (method === "BFGS") expect(r.hess_inv!.shape).toEqual([c.x0.length, c.x0.length]);
          }),
        );
      }
    for (const [method, key] of methods)
      it(
        `${method} fits 20 least-squares parameters`,
        onBackend(platform, () => {
          const c = F.lsq20!;
          const A = jnp.array(c.a!);
          const y = jnp.array(c.y!);
          const loss = (w: Arr, a: Arr, b: Arr) =>
            jnp.divide(jnp.sum(jnp.square(jnp.subtract(jnp.matmul(a, w), b))), 100);
          const r = minimize(loss as (x: Arr, ...args: never[]) => Arr, jnp.zeros([20]), {
            method,
            args: [A, y],
          });
          report(`lsq20 ${method} (${platform})`, r, c[key]!);
          expect(r.success, r.message).toBe(true);
          const x = r.x.tolist() as number[];
          for (const [i, v] of x.entries())
            expect(Math.abs(v - c.solution![i]!)).toBeLessThan(2e-3);
        }),
      );
    it(
      "L-BFGS-B respects bounds and finds the constrained minimum",
      onBackend(platform, () => {
        const c = F.rosen2_bounded!;
        const r = minimize(rosen, jnp.array(c.x0), { method: "L-BFGS-B", bounds: c.bounds });
        report(`rosen2_bounded L-BFGS-B (${platform})`, r, c.lbfgsb);
        expect(r.success, r.message).toBe(true);
        const x = r.x.tolist() as number[];
        expect(x[0]).toBeLessThanOrEqual(0.5);
        expect(x[0]).toBeCloseTo(c.lbfgsb.x[0]!, 3);
        expect(x[1]).toBeCloseTo(c.lbfgsb.x[1]!, 3);
        expect(r.fun.item() as number).toBeCloseTo(c.lbfgsb.fun, 4);
      }),
    );
    it("rejects bad arguments with named errors", () => {
      expect(() => minimize(rosen, jnp.ones([2, 2]), { method: "BFGS" })).toThrow(
        /minimize: x0 must be 1-dimensional/,
      );
      expect(() => minimize(rosen, jnp.ones([2]), { method: "Nelder-Mead" })).toThrow(/method/);
      expect(() =>
        minimize(rosen, jnp.ones([2]), { method: "L-BFGS-B", bounds: [[0, 1]] }),
      ).toThrow(/bounds/);
      expect(() => minimize((x: Arr) => x, jnp.ones([2]), { method: "BFGS" })).toThrow(/scalar/);
    });
  });
}
