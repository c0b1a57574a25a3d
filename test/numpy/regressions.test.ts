/** Cases found by reviewing the foundation against JAX's behaviour; each was a bug once. */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix } from "../helpers/backends.js";

const jnp = jax.numpy;
const i32 = (v: number[]) => jnp.array(v, "int32");
const values = async (x: jax.Array) => Array.from(await x.data());

const matrix = await backendMatrix();
for (const { platform, available } of matrix) {
  describe.skipIf(!available)(`exact integers on ${platform}`, () => {
    it("uint32 extrema, ordering and sorting use unsigned order", async () => {
      await jax.setDefaultBackend(platform);
      try {
        const u = jnp.array([0xffffffff, 2, 0x80000001], "uint32").add(0);
        expect(await values(jnp.max(u))).toEqual([0xffffffff]);
        expect(await values(jnp.min(u))).toEqual([2]);
        expect(await values(jnp.argmin(u))).toEqual([1]);
        expect(await values(jnp.maximum(u, 3))).toEqual([0xffffffff, 3, 0x80000001]);
        expect(await values(jnp.minimum(u, 3))).toEqual([3, 2, 3]);
        expect(await values(jnp.sort(u))).toEqual([2, 0x80000001, 0xffffffff]);
      } finally {
        await jax.setDefaultBackend("cpu");
      }
    });
    it("power is C's pow, as XLA's: pow(1, y) and pow(x, 0) are 1 even for NaN or infinite y", async () => {
      await jax.setDefaultBackend(platform);
      try {
        const x = jnp.array([1, 1, 1, Number.NaN, Number.POSITIVE_INFINITY, -1, 2]);
        const y = jnp.array([Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 0, 0, 0, 3]);
        const expected = [1, 1, 1, 1, 1, 1, 8];
        expect(await values(jnp.power(x, y))).toEqual(expected);
        expect(await values(jax.jit(jnp.power)(x, y))).toEqual(expected);
      } finally {
        await jax.setDefaultBackend("cpu");
      }
    });
    it("int32 contractions and sums wrap exactly instead of rounding through float32", async () => {
      await jax.setDefaultBackend(platform);
      try {
        expect(
          await values(jnp.matmul(i32([16777217]).reshape(1, 1), i32([1]).reshape(1, 1))),
        ).toEqual([16777217]);
        expect(await values(jnp.sum(i32([2147483647, 1])))).toEqual([-2147483648]);
        expect(await values(jnp.arange(5).astype("float32"))).toEqual([0, 1, 2, 3, 4]);
      } finally {
        await jax.setDefaultBackend("cpu");
      }
    });
  });
}

describe("numpy behaviours", () => {
  it("JS integers that fit uint32 keep uint32 arithmetic; overflowing values raise", () => {
    const u = jnp.array([1], "uint32").add(2 ** 31);
    expect([u.dtype, u.tolist()]).toEqual(["uint32", [2147483649]]);
    expect(() => jnp.array([2 ** 31], "int32")).toThrow(/OverflowError|out of bounds for int32/);
    expect(() => jnp.array([-1], "uint32")).toThrow(/out of bounds for uint32/);
  });
  it("one-argument where is nonzero", () => {
    const [idx] = jnp.where(jnp.array([0, 1, 1]));
    expect(idx!.tolist()).toEqual([1, 2]);
    expect(jnp.where(jnp.array([0, 1, 1]), { size: 3, fillValue: -1 })[0]!.tolist()).toEqual([
      1, 2, -1,
    ]);
  });
  it("sign of unsigned values, ellipsis on 0-d arrays, scalar boolean indices", () => {
    expect(jnp.sign(jnp.array([0, 3], "uint32")).tolist()).toEqual([0, 1]);
    expect(jnp.array(1).get("...").item()).toBe(1);
    expect(jnp.array(1).at("...").set(5).item()).toBe(5);
    expect(jnp.arange(12).reshape(3, 4).get(true).shape).toEqual([1, 3, 4]);
    expect(jnp.arange(3).get(false).shape).toEqual([0, 3]);
  });
  it("retrieval clamps out-of-range array indices; take fills as JAX", () => {
    expect(
      jnp
        .arange(3)
        .get(i32([5, -7]))
        .tolist(),
    ).toEqual([2, 0]);
    expect(jnp.take(i32([10, 20, 30]), i32([5])).tolist()).toEqual([-2147483648]);
    expect(jnp.take(jnp.array([1, 2]), i32([9])).tolist()).toEqual([Number.NaN]);
  });
  it("cumulativeSum includeInitial and linspace retstep", () => {
    expect(jnp.cumulativeSum(i32([1, 2, 3]), { includeInitial: true }).tolist()).toEqual([
      0, 1, 3, 6,
    ]);
    const [xs, step] = jnp.linspace(0, 1, 5, { retstep: true });
    expect([xs.size, step.item()]).toEqual([5, 0.25]);
  });
  it("bad argument types are named", () => {
    expect(() => jnp.add(jnp.ones(2), "a" as never)).toThrow(
      /add: expected an array, a JS number.*got string/,
    );
    expect(() => jnp.add(jnp.ones(2), null as never)).toThrow(/got null/);
  });
  it("devicePut takes pytrees and JS numbers; tree structures print", () => {
    const moved = jax.devicePut({ a: jnp.ones(2), b: 3 }, "cpu");
    expect((moved.b as unknown as jax.Array).item()).toBe(3);
    expect(String(jax.tree.structure({ a: 1, b: [2, 3] }))).toBe(
      "PyTreeDef({'a': *, 'b': [*, *]})",
    );
  });
  it("isclose, allclose, arrayEqual, diff, select, indices, cov, corrcoef", () => {
    expect(
      jnp
        .isclose(
          jnp.array([1, Number.POSITIVE_INFINITY, Number.NaN]),
          jnp.array([1.000001, Number.POSITIVE_INFINITY, Number.NaN]),
        )
        .tolist(),
    ).toEqual([true, true, false]);
    expect(jnp.allclose(jnp.array([1, 2]), jnp.array([1, 2.5])).item()).toBe(false);
    expect(jnp.arrayEqual(jnp.array([1, 2]), jnp.array([1, 2])).item()).toBe(true);
    expect(jnp.diff(i32([1, 4, 9, 16])).tolist()).toEqual([3, 5, 7]);
    expect(jnp.diff(i32([1, 4, 9, 16]), { n: 2 }).tolist()).toEqual([2, 2]);
    const x = jnp.arange(5);
    expect(jnp.select([x.lt(2), x.gt(3)], [x, x.mul(10)], -1).tolist()).toEqual([0, 1, -1, -1, 40]);
    expect(jnp.indices([2, 3]).shape).toEqual([2, 2, 3]);
    expect(jnp.unravelIndex(i32([5, 7]), [3, 4]).map((a) => a.tolist())).toEqual([
      [1, 1],
      [1, 3],
    ]);
    expect(jnp.trilIndices(3).map((a) => a.tolist())).toEqual([
      [0, 1, 1, 2, 2, 2],
      [0, 0, 1, 0, 1, 2],
    ]);
    // numpy: np.cov([[0, 1, 2], [2, 1, 0]]) == [[1, -1], [-1, 1]]
    expect(
      jnp
        .cov(
          jnp.array([
            [0, 1, 2],
            [2, 1, 0],
          ]),
        )
        .tolist(),
    ).toEqual([
      [1, -1],
      [-1, 1],
    ]);
    // numpy: np.corrcoef([[0, 1, 2], [0, 2, 4.5]])[0, 1] == 0.9979487157886733
    expect(
      jnp
        .corrcoef(
          jnp.array([
            [0, 1, 2],
            [0, 2, 4.5],
          ]),
        )
        .get([0, 1])
        .item(),
    ).toBeCloseTo(0.99794872, 5);
  });
});

describe("arguments", () => {
  it("unknown keywords and surplus positional arguments raise instead of being ignored", () => {
    const m = jnp.ones([2, 2]);
    expect(() => jnp.sum(m, { axes: 0 } as never)).toThrow(
      "sum() got an unexpected keyword argument 'axes'",
    );
    expect(() => jnp.arange(3, { dtyp: "float32" } as never)).toThrow(
      /unexpected keyword argument 'dtyp'/,
    );
    expect(() => (jnp.sum as (...a: unknown[]) => unknown)(m, 0, null, null, true)).toThrow(
      /positional arguments/,
    );
  });
  it(".at() drops out-of-range integer updates and honours get's mode, as JAX", () => {
    const a = jnp.array([1, 2, 3], "int32");
    expect(a.at(5).set(0).tolist()).toEqual([1, 2, 3]);
    expect(a.at(-1).set(0).tolist()).toEqual([1, 2, 0]);
    expect(a.at(5).get({ mode: "fill", fillValue: -1 }).item()).toBe(-1);
  });
});

describe("typed arrays", () => {
  it("become 1-d arrays with numpy's dtype for their element type (x64 disabled)", () => {
    const cases: [jax.numpy.TypedArray, string][] = [
      [Float32Array.of(1.5, -2), "float32"],
      [Float64Array.of(0.1, 2), "float32"],
      [Int32Array.of(-3, 4), "int32"],
      [Uint8Array.of(7, 255), "int32"],
      [Int16Array.of(-1, 2), "int32"],
      [Uint32Array.of(4294967295, 1), "uint32"],
    ];
    for (const [typed, dtype] of cases) {
      const a = jnp.array(typed);
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([typed.length]);
      const expected = Array.from(typed as ArrayLike<number>, (v) =>
        dtype === "float32" ? Math.fround(v) : v,
      );
      expect(a.tolist()).toEqual(expected);
    }
    expect(jnp.array(Int32Array.of(1, 2), "float32").dtype).toBe("float32");
    expect(jnp.add(Float32Array.of(1, 2), 1).tolist()).toEqual([2, 3]);
    expect(jnp.sum(Int32Array.of(1, 2, 3)).item()).toBe(6);
    expect(() => jnp.array(new DataView(new ArrayBuffer(4)) as never)).toThrow(
      /unsupported buffer DataView/,
    );
  });
});
