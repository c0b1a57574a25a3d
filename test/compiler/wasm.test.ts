/**
 * Fused loops that the cpu lowering runs as WebAssembly SIMD kernels (src/compiler/wasm.ts):
 * they must give exactly what the generated JavaScript loop and tf.js's kernels give, for every
 * lowered primitive, special values included, at lengths that are not a multiple of the lanes.
 */
import { describe, expect, it } from "vitest";
import { compileCpu } from "../../src/compiler/cpu.js";
import { optimize } from "../../src/compiler/index.js";
import { simdAvailable } from "../../src/compiler/wasm.js";
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
const lax = jax.lax;
type A = jax.Array;

const N = 4099; // above the SIMD threshold, and not a multiple of the 8 lanes a pass
const SPECIAL = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  1e-40,
  -1e-40,
  1.2e-38,
  3.4e38,
  -3.4e38,
  88.7,
  88.8,
  -87.4,
  -103.9,
  -110,
  1,
  -1,
  0.5,
];

/** Specials, then values spread over many magnitudes of both signs. */
function values(seed: number): number[] {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const rest = Array.from({ length: N - SPECIAL.length }, () => {
    const magnitude = 10 ** (8 * next() - 4);
    return (next() < 0.5 ? -1 : 1) * magnitude;
  });
  return [...SPECIAL, ...rest];
}

const x = jnp.array(values(1));
const y = jnp.array(values(2));
const positive = jnp.abs(x);

function source(f: (...a: A[]) => A | A[], ...args: A[]): string {
  const closed = jax.jit(f).lower(...args);
  return compileCpu(optimize(closed), closed.outAvals, jax.devices("cpu")[0]!).source;
}

/** Bit-exact equality (NaN equals NaN, 0 differs from -0). */
function expectSame(actual: A, expected: A, label: string): void {
  const a = actual.dataSync();
  const e = expected.dataSync();
  expect(a.length, label).toBe(e.length);
  const differ: string[] = [];
  for (let i = 0; i < a.length && differ.length < 5; i++)
    if (!Object.is(a[i], e[i])) differ.push(`[${i}] ${a[i]} vs ${e[i]}`);
  expect(differ, label).toEqual([]);
}

const CASES: [string, (a: A, b: A) => A][] = [
  ["add", (a, b) => jnp.add(a, b)],
  ["sub", (a, b) => jnp.subtract(a, b)],
  ["mul", (a, b) => jnp.multiply(a, b)],
  ["div", (a, b) => jnp.divide(a, b)],
  ["max", (a, b) => jnp.maximum(a, b)],
  ["min", (a, b) => jnp.minimum(a, b)],
  ["neg", (a) => jnp.negative(a)],
  ["abs", (a) => jnp.abs(a)],
  ["sqrt", (a) => jnp.sqrt(a)],
  ["floor", (a) => jnp.floor(a)],
  ["ceil", (a) => jnp.ceil(a)],
  ["square", (a) => jnp.square(a)],
  ["integer_pow 2", (a) => lax.integerPow(a, 2)],
  ["exp", (a) => jnp.exp(a)],
  ["expm1", (a) => jnp.expm1(a)],
  ["log1p", (a) => jnp.log1p(a)],
  ["tanh", (a) => jnp.tanh(a)],
  ["log", (a) => jnp.log(a)],
  ["logistic", (a) => jax.nn.sigmoid(a)],
  ["sin", (a) => jnp.sin(a)],
  ["cos", (a) => jnp.cos(a)],
  [
    "sin and cos of large arguments (Math.sin / Math.cos lanes)",
    (a) => jnp.sin(a.mul(1e3)).add(jnp.cos(a.mul(3e3))),
  ],
  ["pow", (a, b) => jnp.power(a, b)],
  ["pow of small exponents", (a, b) => jnp.power(a, jnp.floor(b.mul(0.001)).div(2))],
  ["rsqrt", (a) => lax.rsqrt(a)],
  ["clamp", (a) => lax.clamp(-2, a, 3)],
  ["compare and select", (a, b) => jnp.where(a.gt(b), a, b.mul(2))],
  ["ne, le, eq", (a, b) => jnp.where(a.ne(b).and(a.le(1)).or(a.eq(0)), a, 0.5)],
  ["lt, ge, not", (a, b) => jnp.where(jnp.logicalNot(a.lt(b)).and(a.ge(-1)), a, 0)],
  ["is_finite", (a) => jnp.where(jnp.isfinite(a), a, -1)],
  [
    "bool to float and back",
    (a) => a.gt(0).astype("float32").add(a.astype("bool").astype("float32")),
  ],
  ["SELU", (a) => jnp.where(a.gt(0), a, jnp.exp(a).mul(1.67).sub(1.67)).mul(1.05)],
];

describe.skipIf(!simdAvailable)("fused loops as WebAssembly SIMD kernels", () => {
  for (const [name, f] of CASES) {
    it(`${name}: jit gives the eager values bit for bit`, () => {
      for (const [a, b] of [
        [x, y],
        [positive, y],
      ] as const) {
        const jitted = jax.jit(f);
        expect(source(f, a, b)).toContain("rt.simd(");
        expectSame(jitted(a, b), f(a, b), name);
      }
    });
  }

  it("pow: every pair of special values, as JavaScript's ** with pow(1, y) = pow(x, 0) = 1", () => {
    const specials = [
      ...[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, -1, 2, -2],
      ...[0.5, -0.5, 3, -3, 2.5, -2.5, 1e-30, 1e30, 2 ** 24, 2 ** 24 + 2, 1e-45, 7],
    ];
    const pairs = specials.flatMap((a) => specials.map((b) => [a, b]));
    const padded = [...pairs, ...Array(1100 - pairs.length).fill([2, 3])];
    const a = jnp.array(padded.map(([u]) => u!));
    const b = jnp.array(padded.map(([, v]) => v!));
    const f = (u: A, v: A) => jnp.power(u, v);
    expect(source(f, a, b)).toContain("rt.simd(");
    expectSame(jax.jit(f)(a, b), f(a, b), "pow specials");
  });

  it("integer arithmetic, bits, comparisons and conversions on int32 and uint32 words", () => {
    const i = jnp.arange(-2049, 2050, { dtype: "int32" }).mul(1048573);
    const u = i.astype("uint32");
    const cases: [string, (a: A, b: A) => A | A[]][] = [
      ["add, sub, mul (wrapping)", (a, b) => a.add(b).mul(a).sub(7)],
      [
        "bit operations and literal shifts",
        (a) => {
          const s = jax.lax.shiftLeft(a, 3);
          const r = jax.lax.shiftRightLogical(a, 5);
          const t = jax.lax.shiftRightArithmetic(a, 31);
          return jnp.bitwiseXor(jnp.bitwiseOr(s, r), jnp.bitwiseAnd(t, jnp.bitwiseNot(a)));
        },
      ],
      ["max, min, negation", (a, b) => jnp.maximum(jnp.negative(a), jnp.minimum(a, b))],
      [
        "comparisons",
        (a, b) =>
          [a.lt(b), a.le(b), a.gt(b), a.ge(b), a.eq(b), a.ne(b)].reduce((acc, m) =>
            acc.add(m.astype("float32")),
          ),
      ],
      [
        "conversions and bitcasts",
        (a) => [
          a.astype("float32"),
          jax.lax.bitcastConvertType(a, "float32").mul(0).add(a.astype("float32")),
          jax.lax.bitcastConvertType(jnp.abs(a.astype("float32")), a.dtype),
        ],
      ],
      ["select of integers", (a, b) => jnp.where(a.gt(b), a, b)],
    ];
    for (const [label, f] of cases)
      for (const [a, b] of [
        [i, i.mul(3)],
        [u, u.mul(3)],
      ] as const) {
        const name = `${label} (${a.dtype})`;
        expect(
          source((x: A, y: A) => f(x, y), a, b),
          name,
        ).toContain("rt.simd(");
        const jitted = [jax.jit(f)(a, b)].flat() as A[];
        ([f(a, b)].flat() as A[]).forEach((expected, k) => {
          expectSame(jitted[k]!, expected, `${name} output ${k}`);
        });
      }
  });

  it("random bits, uniform and normal draws (threefry, erf_inv) equal eager bit for bit", () => {
    const key = jax.random.PRNGKey(7);
    const draws: [string, (k: A) => A][] = [
      ["bits", (k) => jax.random.bits(k, [5003])],
      ["uniform", (k) => jax.random.uniform(k, [5003])],
      ["normal", (k) => jax.random.normal(k, [5003])],
      ["split", (k) => jax.random.split(k, 3001) as A],
    ];
    for (const [name, f] of draws) {
      expect(source(f, key), name).toContain("rt.simd(");
      expectSame(jax.jit(f)(key), f(key), name);
    }
  });

  it("erf_inv over its whole domain and beyond", () => {
    const u = jnp.linspace(-1.1, 1.1, 4401);
    const f = (a: A) => jax.lax.erfInv(a);
    expect(source(f, u)).toContain("rt.simd(");
    expectSame(jax.jit(f)(u), f(u), "erf_inv");
  });

  it("takes size-1 operands (float and bool) as kernel parameters", () => {
    const f = (a: A, s: A, flag: A) => jnp.where(flag, a.mul(s), a.add(s)).add(2.5);
    for (const flag of [true, false]) {
      const args = [x, jnp.array(0.75), jnp.array(flag)] as const;
      expect(source(f, ...args)).toMatch(
        /rt\.simd\(k\d+, 4099, \[arg0\], \[out\d+\], \[arg1, arg2\]\)/,
      );
      expectSame(jax.jit(f)(...args), f(...args), `flag ${flag}`);
    }
  });

  it("stores every value read after the loop, and several outputs", () => {
    const f = (a: A) => {
      const e = jnp.exp(a.mul(0.01));
      return [e, e.add(a), jnp.negative(a)] as A[];
    };
    expect(source(f, x)).toMatch(
      /rt\.simd\(k\d+, 4099, \[arg0\], \[out\d+, out\d+, out\d+\], \[\]\)/,
    );
    const jitted = jax.jit(f)(x) as A[];
    (f(x) as A[]).forEach((expected, i) => {
      expectSame(jitted[i]!, expected, `output ${i}`);
    });
  });

  it("reduces whole values: max and min exactly, sums and products as doubles", () => {
    const finite = jnp.clip(jnp.where(jnp.isnan(x), 0, x), -50, 50);
    const cases: [string, (a: A) => A, A][] = [
      ["max", (a) => jnp.max(jnp.exp(a.mul(0.1))), finite],
      ["min", (a) => jnp.min(a.mul(a).sub(3)), finite],
      ["max with NaN", (a) => jnp.max(a.mul(2)), x],
      ["min with -0 and 0", (a) => jnp.min(jnp.abs(a).mul(0)), finite],
      ["sum", (a) => jnp.sum(jnp.exp(a.mul(0.01))), finite],
      ["prod", (a) => jnp.prod(a.mul(1e-4).add(1)), finite],
      ["sum of a padded tail (4099 = 8 * 512 + 3)", (a) => jnp.sum(a.mul(0).add(1)), finite],
    ];
    for (const [name, f, a] of cases) {
      expect(source(f, a), name).toContain("rt.simd(");
      const [jitted, eager] = [jax.jit(f)(a).item() as number, f(a).item() as number];
      if (name.startsWith("max") || name.startsWith("min"))
        expect(Object.is(jitted, eager), name).toBe(true);
      else expect(jitted, name).toBeCloseTo(eager, 5 - Math.ceil(Math.log10(Math.abs(eager) + 1)));
    }
    expect(
      jax
        .jit((a: A) => jnp.sum(a.mul(0).add(1)))(finite)
        .item(),
    ).toBe(N);
  });

  it("expands operands that broadcast into the loop", () => {
    const m = jnp.linspace(-3, 3, 64 * 40).reshape(64, 40);
    const row = jnp.linspace(0.5, 2, 40);
    const column = jnp.linspace(-1, 1, 64).reshape(64, 1);
    const f = (a: A, r: A, c: A) => [jnp.exp(a.mul(r)).sub(c), jnp.sum(jnp.tanh(a.add(c)))];
    expect(source(f, m, row, column)).toContain("rt.simd(");
    const [jitted, eager] = [jax.jit(f)(m, row, column) as A[], f(m, row, column)];
    expectSame(jitted[0]!, eager[0]!, "exp(m * row) - column");
    expect(jitted[1]!.item()).toBeCloseTo(eager[1]!.item() as number, 3);
  });

  it("grows its memory for large arrays", () => {
    const big = jnp.linspace(-5, 5, 3_000_001);
    const f = (a: A) => jnp.exp(a).mul(a);
    expect(source(f, big)).toContain("rt.simd(");
    expectSame(jax.jit(f)(big), f(big), "3e6 elements");
  });

  it("leaves loops it cannot lower as JavaScript", () => {
    const fallback = {
      "short arrays": source((a) => jnp.exp(a), jnp.ones([100])),
      "an op without a lowering (tan)": source((a) => jnp.tan(a), x),
      "int32 arithmetic": source((a) => a.astype("int32").add(1), x),
      "a reduction over some axes": source((a) => jnp.sum(jnp.exp(a), 1), jnp.ones([64, 64])),
    };
    for (const [why, code] of Object.entries(fallback)) expect(code, why).not.toContain("rt.simd(");
  });
});
