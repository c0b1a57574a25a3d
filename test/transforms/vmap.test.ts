import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
type F = (x: jax.Array) => jax.Array;

function expectVmapMatchesLoop(name: string, f: F, xs: jax.Array): void {
  const batched = jax.vmap(f)(xs) as jax.Array;
  const looped = jnp.stack([...xs].map((row) => f(row)));
  expect(batched.shape, `${name}: shape`).toEqual(looped.shape);
  const [a, b] = [[batched.tolist()].flat(4) as number[], [looped.tolist()].flat(4) as number[]];
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i]!), `${name}: element ${i}`).toBeLessThanOrEqual(
      1e-5 * Math.max(1, Math.abs(b[i]!)),
    );
  });
}

const rows = jnp.array([
  [0.3, 0.7, 1.3, 2.1],
  [1.1, -0.4, 0.2, 0.9],
  [2.5, 1.5, -1.0, 0.1],
]);
const W = jnp.array([
  [1, 2],
  [3, 4],
  [5, 6],
  [7, 8],
]);
const CASES: [string, F][] = [
  ["elementwise", (r) => jnp.sin(r).mul(r).add(1)],
  ["with unbatched array", (r) => r.add(jnp.arange(4))],
  [
    "reductions",
    (r) => jnp.stack([jnp.sum(r), jnp.max(r), jnp.mean(r), jnp.argmax(r).astype("float32")]),
  ],
  ["reshape/transpose", (r) => r.reshape(2, 2).T.ravel()],
  ["broadcast", (r) => r.reshape(4, 1).mul(r.reshape(1, 4)).ravel()],
  ["matmul", (r) => jnp.matmul(r, W)],
  ["matmul other side", (r) => jnp.matmul(W.T, r)],
  ["dot self", (r) => jnp.dot(r, r)],
  ["einsum", (r) => jnp.einsum("i,j->ij", r, r).ravel()],
  ["where", (r) => jnp.where(r.gt(0.5), r, r.neg())],
  ["sort", (r) => jnp.sort(r)],
  ["cumsum", jnp.cumsum],
  ["slices", (r) => r.get("::2").add(r.get("1::2"))],
  ["concatenate", (r) => jnp.concatenate([r, jnp.zeros(2), r.get("1:3")])],
  ["pad", (r) => jnp.pad(r, [1, 2])],
  ["gather (fallback loop)", (r) => r.get([jnp.array([3, 0, 0], "int32")])],
  ["at.set (fallback loop)", (r) => r.at(1).set(r.get(0))],
  ["clip", (r) => jnp.clip(r, 0, 1)],
  ["var", (r) => jnp.var(r)],
  ["interp", (r) => jnp.interp(r, jnp.array([-1, 0, 1, 3]), jnp.array([0, 1, 0, 2]))],
];

describe("vmap agrees with a loop", () => {
  for (const [name, f] of CASES) it(name, () => expectVmapMatchesLoop(name, f, rows));
});

describe("vmap", () => {
  const convolve = (x: jax.Array, w: jax.Array) => {
    const out: jax.Array[] = [];
    for (let i = 1; i < x.shape[0]! - 1; i++) out.push(jnp.dot(x.get(`${i - 1}:${i + 2}`), w));
    return jnp.stack(out);
  };
  const x = jnp.arange(5).astype("float32");
  const w = jnp.array([2, 3, 4]);
  it("JAX's convolve example, inAxes with null, outAxes 1", () => {
    const xs = jnp.stack([x, x]);
    const ws = jnp.stack([w, w]);
    expect((jax.vmap(convolve)(xs, ws) as jax.Array).tolist()).toEqual([
      [11, 20, 29],
      [11, 20, 29],
    ]);
    expect((jax.vmap(convolve, { inAxes: [0, null] })(xs, w) as jax.Array).tolist()).toEqual([
      [11, 20, 29],
      [11, 20, 29],
    ]);
    expect(
      (jax.vmap(convolve, { inAxes: [1, 1], outAxes: 1 })(xs.T, ws.T) as jax.Array).tolist(),
    ).toEqual([
      [11, 11],
      [20, 20],
      [29, 29],
    ]);
  });
  it("composes with grad both ways, nests, and takes pytrees", () => {
    const g = jax.vmap(jax.grad((v: jax.Array) => jnp.sum(jnp.sin(v).mul(v))) as F)(
      jnp.array([[1, 2]]),
    ) as jax.Array;
    expect(g.get([0, 0]).item()).toBeCloseTo(Math.cos(1) + Math.sin(1), 5);
    const gv = jax.grad((v: jax.Array) =>
      jnp.sum(jax.vmap((r: jax.Array) => jnp.dot(r, r))(v) as jax.Array),
    )(
      jnp.array([
        [1, 2],
        [3, 4],
      ]),
    ) as jax.Array;
    expect(gv.tolist()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    const nested = jax.vmap(jax.vmap((a: jax.Array, b: jax.Array) => a.mul(b)))(
      jnp.ones([2, 3]),
      jnp.arange(6).reshape(2, 3),
    ) as jax.Array;
    expect(nested.tolist()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const tree = jax.vmap((p: { a: jax.Array; b: jax.Array }) => p.a.add(p.b), {
      inAxes: [{ a: 0, b: null }],
    })({ a: jnp.ones([2, 3]), b: jnp.arange(3) }) as jax.Array;
    expect(tree.tolist()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });
  it("names the arguments when mapped sizes disagree", () => {
    expect(() =>
      jax.vmap((a: jax.Array, b: jax.Array) => a.add(b))(jnp.ones(3), jnp.ones(4)),
    ).toThrow(/inconsistent sizes.*\n.*shape \(3,\) has size 3.*\n.*shape \(4,\) has size 4/);
    expect(() => jax.vmap((a: jax.Array) => a, { inAxes: [0, 0] })(jnp.ones(3))).toThrow(
      /len\(in_axes\)=2, len\(args\)=1/,
    );
  });
});

describe("vmap of dynamic slices", () => {
  it("batches the operand with unbatched starts, and loops over batched starts", () => {
    const lax = jax.lax;
    const x = jnp.arange(12).reshape(3, 4);
    expect(
      jax
        .vmap((r: jax.Array) => lax.dynamicSlice(r, [1], [2]))(x)
        .tolist(),
    ).toEqual([
      [1, 2],
      [5, 6],
      [9, 10],
    ]);
    const starts = jnp.array([0, 1, 2], "int32");
    expect(
      jax
        .vmap((r: jax.Array, i: jax.Array) => lax.dynamicSlice(r, [i], [2]))(x, starts)
        .tolist(),
    ).toEqual([
      [0, 1],
      [5, 6],
      [10, 11],
    ]);
    const updates = jnp.array(
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
      "int32",
    );
    const put = jax.vmap((r: jax.Array, u: jax.Array) => lax.dynamicUpdateSlice(r, u, [2]));
    expect(put(x, updates).tolist()).toEqual([
      [0, 1, 7, 8],
      [4, 5, 9, 10],
      [8, 9, 11, 12],
    ]);
    // The operand is never modified in place (tf.js's cpu scatter writes into its input).
    expect(x.tolist()).toEqual(jnp.arange(12).reshape(3, 4).tolist());
  });
});
