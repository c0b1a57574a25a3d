/**
 * jax.scipy.interpolate.RegularGridInterpolator against scipy.interpolate.RegularGridInterpolator
 * (test/fixtures/interpolate.json, made by scripts/fixtures/gen_interpolate.py from float32
 * inputs): values for 1-d, 2-d and 3-d grids with trailing value dimensions, the fill value, NaN
 * and extrapolation, both methods; gradients in the values (exact) and the query points (float64
 * central differences); jit against eager, vmap against a loop, the interpolator as a pytree, and
 * the errors; on every backend of the matrix.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, withBackend } from "../helpers/backends.js";
import { type Decoded, decode, expectClose } from "../helpers/compare.js";
import { loadFixture, readValues } from "../helpers/fixtures.js";

const { numpy: jnp } = jax;
const { NotImplementedError, TypeError_, ValueError } = jax.errors;
const { RegularGridInterpolator } = jax.scipy.interpolate;
type A = jax.Array;
type Method = jax.scipy.interpolate.InterpolationMethod;

interface Case {
  name: string;
  points: unknown[];
  values: unknown;
  method: Method;
  fill: "default" | number | string | null;
  xi: unknown;
  expected: unknown;
  grad_values?: unknown;
  grad_xi?: unknown;
}
const { cases } = loadFixture<{ cases: Case[] }>("interpolate.json");

const flat = (v: Decoded): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
const maxAbs = (v: Decoded) => Math.max(...flat(v).filter(Number.isFinite).map(Math.abs));
/**
 * The absolute scale of a table's rounding errors: a multilinear interpolant sums 2^ndim products,
 * so with signed values its error scales with the largest entry, not with the result (which may
 * cancel to zero); a positive table (a cross-section) is held to relative precision alone.
 */
const errorScale = (v: Decoded) => (flat(v).every((x) => x > 0) ? 0 : maxAbs(v));

/** Measured worst cases on all three backends: 5.6e-7 (values), 2.6e-7 (gradients). */
const RTOL = 2e-6;
const ATOL = 2e-6;
const GPU_FACTOR = 4;

function build(c: Case): jax.scipy.interpolate.RegularGridInterpolator {
  const points = c.points.map((p) => jnp.array(decode(p) as number[]));
  const values = jnp.array(decode(c.values) as number[]);
  if (c.fill === "default") return new RegularGridInterpolator(points, values, c.method);
  const fill = c.fill === null ? null : (decode(c.fill) as number);
  return new RegularGridInterpolator(points, values, { method: c.method, fillValue: fill });
}

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  const scale = platform === "webgpu" ? GPU_FACTOR : 1;
  describe.skipIf(!available)(`RegularGridInterpolator vs scipy (${platform})`, () => {
    // jit runs before eager: a jitted kernel that fails to run must not find the eager result
    // of the same case in a recycled buffer.
    for (const c of cases)
      it(
        `${c.name}: jit`,
        () =>
          withBackend(platform, async () => {
            const xi = jnp.array(decode(c.xi) as number[]);
            const atol = ATOL * scale * errorScale(decode(c.values));
            const jitted = jax.jit((x: A) => build(c)(x))(xi) as A;
            expectClose(
              await readValues(jitted),
              decode(c.expected),
              RTOL * scale,
              atol,
              `${c.name} jit`,
            );
          }),
        60_000,
      );

    it.each(cases.map((c) => [c.name, c] as const))(
      "%s: eager values, shape and dtype",
      (_label, c) =>
        withBackend(platform, async () => {
          const xi = jnp.array(decode(c.xi) as number[]);
          const expected = decode(c.expected);
          const atol = ATOL * scale * errorScale(decode(c.values));
          const eager = build(c)(xi);
          expect(eager.shape).toEqual(jnp.array(expected as number[]).shape);
          expect(eager.dtype).toBe("float32");
          expectClose(await readValues(eager), expected, RTOL * scale, atol, c.name);
        }),
      60_000,
    );

    const gradCases = cases.filter((c) => c.grad_values !== undefined);
    it.each(gradCases.map((c) => [c.name, c] as const))(
      "%s: gradients in the values and the query points",
      (_label, c) =>
        withBackend(platform, async () => {
          const interp = build(c);
          const xi = jnp.array(decode(c.xi) as number[]);
          const gradValues = decode(c.grad_values);
          const gradXi = decode(c.grad_xi);
          // Through the pytree: the cotangent of the interpolator holds d/dvalues.
          const dInterp = jax.grad((r: typeof interp) => jnp.sum(r(xi)))(interp) as typeof interp;
          expectClose(
            await readValues(dInterp.values),
            gradValues,
            RTOL * scale,
            ATOL * scale * maxAbs(gradValues),
            `${c.name} d/dvalues`,
          );
          const dxi = jax.jit(jax.grad((x: A) => jnp.sum(interp(x))))(xi) as A;
          // Slopes (v1 - v0) / (g1 - g0) lose digits to the subtraction of corner values.
          expectClose(
            await readValues(dxi),
            gradXi,
            1e-5 * scale,
            ATOL * scale * maxAbs(gradXi),
            `${c.name} d/dxi`,
          );
        }),
      60_000,
    );

    it("vmap over query points and over value tables equals a loop", () =>
      withBackend(platform, async () => {
        const c = cases.find((k) => k.name === "3-d trailing linear, fill None")!;
        const interp = build(c);
        const xi = jnp.reshape(jnp.array(decode(c.xi) as number[]), [14, 3]);
        const rows = jax.vmap((x: A) => interp(x))(xi) as A;
        expect(rows.shape).toEqual([14, 1, 2, 3]);
        const loop = jnp.stack(Array.from({ length: 14 }, (_, i) => interp(xi.get([i, null]))));
        expectClose(await readValues(rows), await readValues(loop), 1e-6, 1e-6, "vmap over xi");

        const tables = jnp.stack([
          interp.values,
          jnp.multiply(interp.values, -2),
          jnp.sin(interp.values),
        ]);
        const withTable = (v: A) =>
          new RegularGridInterpolator(interp.grid, v, { fillValue: null })(xi);
        const looped = await readValues(jnp.stack([0, 1, 2].map((i) => withTable(tables.get(i)))));
        const batched = jax.vmap(withTable)(tables) as A;
        expectClose(await readValues(batched), looped, 1e-6, 1e-6, "vmap over values");
        const jitBatched = jax.jit(jax.vmap(withTable))(tables) as A;
        expectClose(await readValues(jitBatched), looped, 1e-6, 1e-6, "jit(vmap)");
      }));
  });
}

describe("RegularGridInterpolator: API", () => {
  const grid = [jnp.array([0, 1, 2, 4]), jnp.array([-1, 0, 1])];
  const table = jnp.array([
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
    [9, 10, 11],
  ]);

  it("accepts scipy's tuple of coordinate arrays, broadcast together", async () => {
    const interp = new RegularGridInterpolator(grid, table);
    const xs = jnp.array([[0.5], [1.5], [3]]);
    const ys = jnp.array([-0.5, 0, 0.25, 0.5]);
    const got = interp([xs, ys]);
    expect(got.shape).toEqual([3, 4]);
    const [bx, by] = jnp.broadcastArrays(xs, ys);
    expectClose(
      await readValues(got),
      await readValues(interp(jnp.stack([bx!, by!], -1))),
      0,
      0,
      "tuple",
    );
    expectClose(await readValues(interp([jnp.array([0.5, 3]), 0.5])), [3, 9], 1e-6, 0, "scalar");
  });

  it("reads a 1-d query as rows of ndim coordinates and a 1-d grid as sigma(E) lookups", async () => {
    const interp = new RegularGridInterpolator(grid, table);
    expect(interp(jnp.array([0.5, 0, 3, 1])).shape).toEqual([2]);
    const sigma = new RegularGridInterpolator([[1, 2, 4]], [8, 4, 2]);
    const got = sigma(jnp.array([1.5, 3, 5]));
    expect(got.shape).toEqual([3]);
    expectClose(await readValues(got), [6, 3, Number.NaN], 1e-6, 0, "1-d");
    expectClose(await readValues(sigma([[1.5], [3]])), [6, 3], 1e-6, 0, "JS list");
  });

  it("takes method positionally or per call, and fillValue null extrapolates", async () => {
    const linear = new RegularGridInterpolator([[0, 1, 2]], [0, 10, 40], "linear", false, null);
    expectClose(await readValues(linear([[0.4], [-1], [3]])), [4, -10, 70], 1e-6, 0, "extrapolate");
    expectClose(await readValues(linear([[0.4], [1.6]], "nearest")), [0, 40], 0, 0, "nearest call");
    expectClose(
      await readValues(linear([[0.4]], { method: "nearest" })),
      [0],
      0,
      0,
      "nearest opts",
    );
    const nearest = new RegularGridInterpolator([[0, 1, 2]], [0, 10, 40], { method: "nearest" });
    expect(nearest.method).toBe("nearest");
    expectClose(await readValues(nearest([[1.4], [-0.1]])), [10, Number.NaN], 0, 0, "fill nan");
    expect(nearest.boundsError).toBe(false);
    expect(Number.isNaN(nearest.fillValue!.item())).toBe(true);
  });

  it("promotes integer values to float32 and casts the fill value", async () => {
    const interp = new RegularGridInterpolator([[0, 1]], jnp.array([0, 3], { dtype: "int32" }), {
      fillValue: 7,
    });
    const got = interp([[0.5], [2]]);
    expect(got.dtype).toBe("float32");
    expect(interp.fillValue!.dtype).toBe("float32");
    expectClose(await readValues(got), [1.5, 7], 0, 0, "int values");
  });

  it("is a function and an instance, and a pytree whose leaves are the grid, values and fill", () => {
    const interp = new RegularGridInterpolator(grid, table, { fillValue: null });
    expect(typeof interp).toBe("function");
    expect(interp).toBeInstanceOf(RegularGridInterpolator);
    expect(interp.call(undefined, [[0.5, 0]]).shape).toEqual([1]);
    const leaves = jax.tree.leaves(interp);
    expect(leaves.length).toBe(3);
    for (const [i, leaf] of [grid[0], grid[1], interp.values].entries())
      expect(leaves[i]).toBe(leaf);
    const tree = interp as unknown as jax.PyTree<A>;
    const doubled = jax.tree.map((a: A) => jnp.multiply(a, 2), tree) as unknown as typeof interp;
    expect(doubled).toBeInstanceOf(RegularGridInterpolator);
    expect(doubled.fillValue).toBeNull();
    expect(doubled([[1, 0]]).item()).toBe(5);
    const viaJit = jax.jit((r: typeof interp, x: A) => r(x))(interp, jnp.array([[1, 0]])) as A;
    expect(viaJit.item()).toBe(4);
  });

  it("raises clear errors", () => {
    const R = RegularGridInterpolator;
    expect(() => new R([[0, 1, 2]], [1, 2])).toThrow(ValueError);
    expect(() => new R([[0, 1, 2]], [1, 2])).toThrow(
      "RegularGridInterpolator: there are 3 points and 2 values in dimension 0",
    );
    expect(
      () =>
        new R(
          [
            [0, 1],
            [0, 1],
          ],
          [1, 2],
        ),
    ).toThrow("there are 2 point arrays, but values has 1 dimensions");
    expect(() => new R([[0, 2, 1]], [1, 2, 3])).toThrow(
      "the points in dimension 0 must be strictly ascending; points[0][1] = 2 and points[0][2] = 1",
    );
    expect(() => new R([jnp.array([0, 1, 1])], [1, 2, 3])).toThrow("strictly ascending");
    expect(() => new R([[2, 1, 0]], [1, 2, 3])).toThrow("strictly ascending");
    expect(() => new R([jnp.zeros([2, 2])], jnp.zeros([2, 2]))).toThrow("must be 1-dimensional");
    expect(() => new R([[0]], [1])).toThrow("needs at least 2 per dimension");
    expect(() => new R([[0, 1]], [1, 2], { method: "cubic" as Method })).toThrow(
      "method 'cubic' is not defined",
    );
    expect(() => new R([[0, 1]], [1, 2], { boundsError: true })).toThrow(NotImplementedError);
    expect(() => new R([[0, 1]], [1, 2], { fillValue: true })).toThrow("fillValue");
    expect(() => new R([[0, 1]], [1, 2], { fill_value: 0 } as never)).toThrow(TypeError_);
    const interp = new R(grid, table);
    expect(() => interp(jnp.zeros([4, 3]))).toThrow(
      "the requested sample points xi have dimension 3 (shape (4, 3)), but this interpolator has dimension 2",
    );
    expect(() => interp(jnp.zeros([3]))).toThrow("3 query coordinates cannot be read as points");
    expect(() => interp(0.5)).toThrow("got a scalar; pass [x]");
    expect(() => interp([[0, 0]], "cubic" as Method)).toThrow("method 'cubic' is not defined");
    expect(() => interp([jnp.zeros([2]), jnp.zeros([3])])).toThrow(ValueError);
  });
});
