/**
 * Every lax primitive under jit against its eager result, on each backend: jit runs the
 * compiler's plan (generated JS on cpu, fused WGSL on webgpu, the optimized Jaxpr elsewhere).
 * Elementwise primitives run on arrays and on scalars, which take different code paths.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, tolerance } from "../helpers/backends.js";
import { type Decoded, expectClose } from "../helpers/compare.js";

const jnp = jax.numpy;
const lax = jax.lax;
const random = jax.random;
type A = jax.Array;
type Fn = (...xs: A[]) => jax.PyTree;

const f32 = (xs: number[], shape?: number[]) => jnp.array(xs).reshape(shape ?? [xs.length]);
const i32 = (xs: number[]) => jnp.array(xs, { dtype: "int32" });
const u32 = (xs: number[]) => jnp.array(xs, { dtype: "uint32" });
const bool = (xs: boolean[]) => jnp.array(xs);

const general = [-2.5, -1.25, -0.5, 0, 0.3, 0.75, 1.5, 2.25];
const positive = [0.05, 0.3, 0.75, 1, 1.5, 2.5, 7, 30];
const unit = [-0.95, -0.6, -0.2, 0, 0.1, 0.4, 0.7, 0.9];
const ints = [-2147483648, -70000, -7, -1, 0, 3, 65537, 2147483647];
const words = [0, 1, 7, 65535, 2147483648, 3000000000, 4294967295, 123456789];

/** Cases: a function of arrays and its arguments. Elementwise ones also run on scalars. */
const elementwise: [string, Fn, A[]][] = [
  ...(
    [
      ["neg", lax.neg, general],
      ["sign", lax.sign, general],
      ["floor", lax.floor, general],
      ["ceil", lax.ceil, general],
      ["round_away", (x: A) => lax.round(x, 0), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51]],
      ["round_even", (x: A) => lax.round(x, 1), [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51]],
      ["is_finite", lax.isFinite, [0, 1, Infinity, -Infinity, Number.NaN, -3, 1e30, -0]],
      ["exp", lax.exp, general],
      ["exp2", lax.exp2, general],
      ["log", lax.log, positive],
      ["expm1", lax.expm1, general],
      ["log1p", lax.log1p, positive],
      ["tanh", lax.tanh, [...general.slice(0, 6), 20, -30]],
      ["logistic", lax.logistic, general],
      ["sin", lax.sin, general],
      ["cos", lax.cos, general],
      ["tan", lax.tan, unit],
      ["asin", lax.asin, unit],
      ["acos", lax.acos, unit],
      ["atan", lax.atan, general],
      ["sinh", lax.sinh, general],
      ["cosh", lax.cosh, general],
      ["asinh", lax.asinh, general],
      ["acosh", lax.acosh, positive.map((x) => x + 1)],
      ["atanh", lax.atanh, unit],
      ["sqrt", lax.sqrt, positive],
      ["rsqrt", lax.rsqrt, positive],
      ["cbrt", lax.cbrt, general],
      ["abs", lax.abs, general],
      ["erf", lax.erf, [...general, 3.5, -4]],
      ["erfc", lax.erfc, [...general, 3.5, 6]],
      ["erf_inv", lax.erfInv, unit],
      ["lgamma", lax.lgamma, [...positive, -0.5, -2.5]],
      ["digamma", lax.digamma, [...positive, -0.5, -2.5]],
      ["square", lax.square, general],
      ["integer_pow", (x: A) => lax.integerPow(x, 3), general],
      ["integer_pow_neg", (x: A) => lax.integerPow(x, -2), positive],
    ] as [string, Fn, number[]][]
  ).map(([n, f, xs]) => [n, f, [f32(xs)]] as [string, Fn, A[]]),
  ...(
    [
      ["add", lax.add],
      ["sub", lax.sub],
      ["mul", lax.mul],
      ["div", lax.div],
      ["rem", lax.rem],
      ["max", lax.max],
      ["min", lax.min],
      ["atan2", lax.atan2],
      ["nextafter", lax.nextafter],
      ["eq", lax.eq],
      ["ne", lax.ne],
      ["lt", lax.lt],
      ["le", lax.le],
      ["gt", lax.gt],
      ["ge", lax.ge],
    ] as [string, Fn][]
  ).map(
    ([n, f]) =>
      [`${n}_f32`, f, [f32(general), f32(general.map((x) => 1.7 - x))]] as [string, Fn, A[]],
  ),
  ["pow", lax.pow, [f32(positive), f32(general)]],
  ["max_nan", lax.max, [f32([Number.NaN, 1, 2, 3]), f32([0, Number.NaN, 5, -1])]],
  [
    "nan_inf_literals",
    (x: A) =>
      jnp.where(
        jnp.greater(x, 1),
        Number.NaN,
        jnp.where(jnp.less(x, -1), -Infinity, jnp.multiply(x, Infinity)),
      ),
    [f32(general)],
  ],
  ...(
    [
      ["add", lax.add],
      ["sub", lax.sub],
      ["mul", lax.mul],
      ["div", lax.div],
      ["rem", lax.rem],
      ["max", lax.max],
      ["min", lax.min],
      ["and", lax.bitwiseAnd],
      ["or", lax.bitwiseOr],
      ["xor", lax.bitwiseXor],
      ["eq", lax.eq],
      ["lt", lax.lt],
      ["ge", lax.ge],
    ] as [string, Fn][]
  ).flatMap(([n, f]) => [
    [`${n}_i32`, f, [i32(ints), i32([3, -2, 5, 0, 7, -1, 2, 9])]] as [string, Fn, A[]],
    [`${n}_u32`, f, [u32(words), u32([3, 2, 5, 1, 7, 4294967295, 2, 0])]] as [string, Fn, A[]],
  ]),
  ["shift_left", lax.shiftLeft, [i32(ints), i32([0, 1, 5, 31, 32, 3, 40, 2])]],
  ["shift_right_logical", lax.shiftRightLogical, [i32(ints), i32([0, 1, 5, 31, 32, 3, 40, 2])]],
  [
    "shift_right_arithmetic",
    lax.shiftRightArithmetic,
    [i32(ints), i32([0, 1, 5, 31, 32, 3, 40, 2])],
  ],
  ["neg_i32", lax.neg, [i32(ints)]],
  ["abs_i32", lax.abs, [i32(ints)]],
  ["sign_i32", lax.sign, [i32(ints)]],
  ["square_i32", lax.square, [i32(ints)]],
  ["pow3_i32", (x: A) => lax.integerPow(x, 3), [i32(ints)]],
  ["not_i32", lax.bitwiseNot, [i32(ints)]],
  ["population_count", lax.populationCount, [u32(words)]],
  [
    "and_bool",
    lax.bitwiseAnd,
    [bool([true, false, true, false]), bool([true, true, false, false])],
  ],
  ["or_bool", lax.bitwiseOr, [bool([true, false, true, false]), bool([true, true, false, false])]],
  [
    "xor_bool",
    lax.bitwiseXor,
    [bool([true, false, true, false]), bool([true, true, false, false])],
  ],
  ["not_bool", lax.bitwiseNot, [bool([true, false, true, false])]],
  ["f32_to_i32", (x: A) => lax.convertElementType(x, "int32"), [f32([...general, 3e9, -3e9])]],
  ["f32_to_u32", (x: A) => lax.convertElementType(x, "uint32"), [f32([0, 1.5, 7.9, 3e9, 65536])]],
  ["i32_to_f32", (x: A) => lax.convertElementType(x, "float32"), [i32(ints)]],
  ["u32_to_f32", (x: A) => lax.convertElementType(x, "float32"), [u32(words)]],
  ["bool_to_f32", (x: A) => lax.convertElementType(x, "float32"), [bool([true, false])]],
  ["f32_to_bool", (x: A) => lax.convertElementType(x, "bool"), [f32([0, -0, 1, Number.NaN, -2])]],
  ["u32_to_i32", (x: A) => lax.convertElementType(x, "int32"), [u32(words)]],
  ["bitcast_f32_i32", (x: A) => lax.bitcastConvertType(x, "int32"), [f32(general)]],
  [
    "bitcast_u32_f32",
    (x: A) => lax.bitcastConvertType(x, "float32"),
    [u32([0, 1065353216, 3212836864, 2143289344])],
  ],
  [
    "select_bool",
    (c: A, a: A, b: A) => lax.selectN(c, a, b),
    [bool([true, false, true, false]), f32([1, 2, 3, 4]), f32([5, 6, 7, 8])],
  ],
  [
    "select_int",
    (c: A, a: A, b: A, d: A) => lax.selectN(c, a, b, d),
    [i32([0, 1, 2, 1]), f32([1, 2, 3, 4]), f32([5, 6, 7, 8]), f32([9, 10, 11, 12])],
  ],
  ["clamp_f32", (x: A) => lax.clamp(-1, x, 1.2), [f32(general)]],
  [
    "clamp_i32",
    (x: A) => lax.clamp(jnp.array(-7, { dtype: "int32" }), x, jnp.array(65537, { dtype: "int32" })),
    [i32(ints)],
  ],
  [
    "threefry2x32",
    (a: A, b: A, c: A, d: A) => lax.threefry2x32(a, b, c, d),
    [u32([0, 1]), u32([42, 7]), u32([0, 5]), u32([1, 9])],
  ],
];

const structural: [string, Fn, A[]][] = [
  ["iota", () => lax.iota("float32", 6), []],
  ["broadcasted_iota", () => lax.broadcastedIota("int32", [2, 3], 1), []],
  ["broadcast_in_dim", (x: A) => lax.broadcastInDim(x, [2, 3, 4], [1]), [f32([1, 2, 3])]],
  ["reshape", (x: A) => lax.reshape(x, [3, 2]), [f32([1, 2, 3, 4, 5, 6], [2, 3])]],
  ["squeeze", (x: A) => lax.squeeze(x, [0]), [f32([1, 2, 3], [1, 3])]],
  [
    "transpose",
    (x: A) => lax.transpose(x, [2, 0, 1]),
    [jnp.arange(24, { dtype: "float32" }).reshape(2, 3, 4)],
  ],
  ["transpose_u32", (x: A) => lax.transpose(x, [1, 0]), [u32(words).reshape(2, 4)]],
  ["rev", (x: A) => lax.rev(x, [0, 1]), [jnp.arange(6).reshape(2, 3)]],
  [
    "slice",
    (x: A) => lax.slice(x, [1, 0], [4, 5], [2, 2]),
    [jnp.arange(25, { dtype: "float32" }).reshape(5, 5)],
  ],
  [
    "pad",
    (x: A) =>
      lax.pad(x, -1, [
        [1, -1, 1],
        [0, 2, 0],
      ]),
    [jnp.arange(6, { dtype: "float32" }).reshape(3, 2)],
  ],
  [
    "concatenate",
    (a: A, b: A) => lax.concatenate([a, b, a], 1),
    [jnp.ones([2, 2]), jnp.zeros([2, 3])],
  ],
  ["concatenate_u32", (a: A, b: A) => lax.concatenate([a, b], 0), [u32(words), u32([5])]],
  [
    "dynamic_slice",
    (x: A, i: A) => lax.dynamicSlice(x, [i, 1], [2, 2]),
    [jnp.arange(12, { dtype: "float32" }).reshape(4, 3), jnp.array(3, { dtype: "int32" })],
  ],
  [
    "dynamic_update_slice",
    (x: A, u: A, i: A) => lax.dynamicUpdateSlice(x, u, [i, 0]),
    [jnp.zeros([4, 3]), jnp.ones([2, 3]), jnp.array(1, { dtype: "int32" })],
  ],
  [
    "gather",
    (x: A, i: A) => x.get(i),
    [jnp.arange(12, { dtype: "float32" }).reshape(4, 3), i32([3, 0, 2])],
  ],
  ["scatter_add", (x: A, i: A) => x.at(i).add(1), [jnp.zeros([5]), i32([1, 1, 4])]],
  [
    "reduce_sum",
    (x: A) => [jnp.sum(x), jnp.sum(x, 0), jnp.sum(x, [0, 2])],
    [jnp.arange(24, { dtype: "float32" }).reshape(2, 3, 4)],
  ],
  ["reduce_max_min", (x: A) => [jnp.max(x, 1), jnp.min(x), jnp.prod(x, 0)], [f32(general, [2, 4])]],
  ["reduce_int", (x: A) => [jnp.sum(x, 0), jnp.max(x), jnp.min(x, 1)], [i32(ints).reshape(2, 4)]],
  [
    "reduce_bool",
    (x: A) => [jnp.all(x, 0), jnp.any(x)],
    [bool([true, false, true, true]).reshape(2, 2)],
  ],
  ["argmax", (x: A) => [jnp.argmax(x, 1), jnp.argmin(x)], [f32(general, [2, 4])]],
  ["cumsum", (x: A) => [jnp.cumsum(x, 1), jnp.cumprod(x, 0)], [f32(general, [2, 4])]],
  [
    "dot_general",
    (a: A, b: A) => jnp.einsum("bij,bjk->bik", a, b),
    [
      jnp.arange(12, { dtype: "float32" }).reshape(2, 2, 3),
      jnp.arange(18, { dtype: "float32" }).reshape(2, 3, 3),
    ],
  ],
  ["dot_vector", (a: A, b: A) => jnp.dot(a, b), [f32(general), f32(positive)]],
  [
    "dot_int",
    (a: A, b: A) => jnp.matmul(a, b),
    [i32(ints).reshape(2, 4), i32([1, 2, 3, 4, 5, 6, 7, 8]).reshape(4, 2)],
  ],
  ["sort", (x: A) => jnp.sort(x, 1), [f32(general, [2, 4])]],
  [
    "while",
    (x: A) =>
      lax.whileLoop(
        (c: A[]) => lax.lt(c[0]!, 10),
        (c: A[]) => [lax.add(c[0]!, 1), jnp.multiply(c[1]!, 1.1)],
        [jnp.array(0, { dtype: "int32" }), x],
      ) as jax.PyTree,
    [f32([1, 2, 3])],
  ],
  [
    "fori_scalar",
    (x: A) =>
      lax.foriLoop(
        0,
        50,
        (i: number | A, c: A) => jnp.add(jnp.multiply(c, 0.99), jnp.sin(i as A)),
        x,
      ) as A,
    [jnp.array(0.5)],
  ],
  [
    "scan",
    (x: A) =>
      lax.scan(
        (c: A, y: A) => [jnp.add(c, y), jnp.multiply(c, y)],
        jnp.zeros([2]),
        x,
      ) as jax.PyTree,
    [jnp.arange(8, { dtype: "float32" }).reshape(4, 2)],
  ],
  [
    "scan_reverse",
    (x: A) =>
      lax.scan((c: A, y: A) => [jnp.add(c, y), c], jnp.array(0), x, {
        reverse: true,
      }) as jax.PyTree,
    [f32(general)],
  ],
  [
    "cond",
    (p: A, x: A) =>
      lax.cond(
        p,
        (y: A) => jnp.exp(y),
        (y: A) => jnp.negative(y),
        x,
      ) as A,
    [jnp.array(false), f32(general)],
  ],
  [
    "switch",
    (i: A, x: A) =>
      lax.switch(i, [(y: A) => y, (y: A) => jnp.sin(y), (y: A) => jnp.cos(y)], x) as A,
    [jnp.array(2, { dtype: "int32" }), jnp.array(0.3)],
  ],
  ["custom_jvp", (x: A) => jax.nn.softplus(x), [f32(general)]],
  [
    "cummax",
    (x: A) => [lax.cummax(x, 1), lax.cummin(x, 0), lax.cumlogsumexp(x, 1)],
    [f32(general, [2, 4])],
  ],
  [
    "scatter_ops",
    (x: A, i: A) => [x.at(i).multiply(2), x.at(i).min(0.5), x.at(i).max(2.5), x.at(i).set(-1)],
    [f32(positive), i32([1, 5, 5])],
  ],
  ["custom_vjp", (x: A) => clipGradient(x), [f32(general)]],
  ["grad_of_custom_vjp", jax.grad((x: A) => jnp.sum(jnp.square(clipGradient(x)))), [f32(general)]],
  [
    "linalg",
    (a: A, b: A) => {
      const spd = jnp.add(jnp.matmul(a, jnp.transpose(a)), jnp.multiply(jnp.eye(3), 3));
      const L = lax.linalg.cholesky(spd);
      const [q, r] = lax.linalg.qr(a);
      return [
        L,
        lax.linalg.triangularSolve(L, b, { leftSide: true, lower: true }),
        q!,
        r!,
        lax.linalg.eigh(spd)[1]!,
        lax.linalg.svd(a, false, false)[0]!,
      ];
    },
    [f32([1, 0.5, -0.3, 0.2, 2, 0.7, -1, 0.4, 1.5], [3, 3]), f32([1, 2, 3, 4, 5, 6], [3, 2])],
  ],
  [
    "special",
    (a: A, x: A) => [
      lax.igamma(a, x),
      lax.igammac(a, x),
      lax.regularizedIncompleteBeta(a, a, jnp.divide(x, 10)),
      lax.besselI0e(x),
      lax.besselI1e(x),
      lax.zeta(jnp.add(a, 1.5), x),
    ],
    [f32(positive), f32(positive.map((v) => v * 0.7 + 0.1))],
  ],
  ["random_normal", (k: A) => random.normal(random.wrapKeyData(k), [5]), [random.PRNGKey(3)]],
  ["random_gamma", (k: A) => random.gamma(random.wrapKeyData(k), 2.5, [4]), [random.PRNGKey(4)]],
];

/** A custom_vjp function: identity forward, gradient clipped to [-1, 1] backward. */
const clipGradient = jax.customVjp((x: A) => x);
clipGradient.defvjp(
  (x: A) => [x, null],
  (_res: unknown, g: A) => [jnp.clip(g, -1, 1)],
);

const scalarOf = (x: A) => jnp.reshape(x, [-1]).get(0);

async function values(tree: jax.PyTree): Promise<Decoded[]> {
  const leaves = jax.tree.leaves(tree) as A[];
  return Promise.all(leaves.map(async (x) => Array.from(await x.data()) as Decoded));
}

for (const { platform, available } of await backendMatrix())
  describe.skipIf(!available)(`jit equals eager for every primitive (${platform})`, () => {
    const { rtol, atol } = tolerance(platform);
    const check = async (name: string, f: Fn, args: A[]) => {
      const previous = jax.defaultBackend();
      await jax.setDefaultBackend(platform);
      try {
        const xs = args.map((a) => jax.devicePut(a, platform));
        // jit first: a kernel that failed to build must not find eager's result in a reused buffer.
        const jitted = await values(jax.jit(f)(...xs));
        const eager = await values(f(...xs));
        expect(jitted.length, `${name}: number of outputs`).toBe(eager.length);
        for (const [i, e] of eager.entries())
          expectClose(jitted[i]!, e, rtol * 4, atol, `${name}[${i}]`);
      } finally {
        await jax.setDefaultBackend(previous);
      }
    };
    it.each(elementwise)("%s on arrays", (name, f, args) => check(name, f, args));
    it.each(elementwise)("%s on scalars", (name, f, args) => check(name, f, args.map(scalarOf)));
    // A while loop reads its predicate on the host each iteration, and scatter-mul/min/max
    // read their indices on the host: WebGPU in Node cannot read synchronously.
    const hostReads = ["while", "scatter_ops"];
    const cases = structural.filter(([name]) => platform !== "webgpu" || !hostReads.includes(name));
    it.each(cases)("%s", (name, f, args) => check(name, f, args));
  });
