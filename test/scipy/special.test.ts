/**
 * jax.scipy.special against mpmath (test/fixtures/scipy_special.json, made by
 * scripts/fixtures/gen_scipy_special.py from float32 inputs): values and derivatives on grids
 * that include the tails, jit and vmap against eager, on every backend of the matrix.
 */
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix, onBackend, withBackend } from "../helpers/backends.js";
import { type Decoded, decode, expectClose } from "../helpers/compare.js";
import {
  type ElementwiseCase,
  expectElementwiseCase,
  loadFixture,
  readValues,
} from "../helpers/fixtures.js";

const { numpy: jnp } = jax;
const sp = jax.scipy.special;
type A = jax.Array;

interface LseCase {
  a: unknown;
  b: number[] | number[][] | null;
  axis: number | null;
  value: unknown;
  sign: number | number[];
}
const fixtures = loadFixture<{ cases: ElementwiseCase[]; logsumexp: LseCase[] }>(
  "scipy_special.json",
);

type Fn = (...xs: A[]) => A;
const FNS: Record<string, Fn> = {
  gammaln: (x) => sp.gammaln(x!),
  digamma: (x) => sp.digamma(x!),
  polygamma: (n, x) => sp.polygamma(n!, x!),
  gammainc: (a, x) => sp.gammainc(a!, x!),
  gammaincc: (a, x) => sp.gammaincc(a!, x!),
  betaln: (a, b) => sp.betaln(a!, b!),
  betainc: (a, b, x) => sp.betainc(a!, b!, x!),
  factorial: (n) => sp.factorial(n!),
  zeta: (x, q) => sp.zeta(x!, q!),
  erf: (x) => sp.erf(x!),
  erfc: (x) => sp.erfc(x!),
  erfinv: (x) => sp.erfinv(x!),
  ndtr: (x) => sp.ndtr(x!),
  log_ndtr: (x) => sp.logNdtr(x!),
  ndtri: (p) => sp.ndtri(p!),
  xlogy: (x, y) => sp.xlogy(x!, y!),
  xlog1py: (x, y) => sp.xlog1py(x!, y!),
  expit: (x) => sp.expit(x!),
  logit: (p) => sp.logit(p!),
  i0e: (x) => sp.i0e(x!),
  i1e: (x) => sp.i1e(x!),
};

/**
 * Relative and absolute error bounds on cpu and wasm (float32 kernels: eps = 6e-8). The
 * iterative functions lose a few ulp per term; gradients are derived values (one more rounding
 * through exp/log) and get their own bounds.
 */
const TOL: Record<string, { rtol: number; atol: number; grtol: number; gatol: number }> = {
  gammaln: { rtol: 2e-6, atol: 1e-6, grtol: 2e-6, gatol: 1e-6 },
  digamma: { rtol: 2e-6, atol: 2e-6, grtol: 1e-5, gatol: 1e-6 },
  polygamma: { rtol: 1e-5, atol: 0, grtol: 1e-5, gatol: 0 },
  gammainc: { rtol: 1e-5, atol: 1e-7, grtol: 1e-4, gatol: 1e-7 },
  gammaincc: { rtol: 1e-5, atol: 1e-7, grtol: 1e-4, gatol: 1e-7 },
  betaln: { rtol: 2e-6, atol: 1e-6, grtol: 1e-5, gatol: 1e-6 },
  betainc: { rtol: 1e-5, atol: 1e-7, grtol: 1e-4, gatol: 1e-7 },
  factorial: { rtol: 1e-5, atol: 0, grtol: 0, gatol: 0 },
  // zeta(20, 100) and its derivative are float32 subnormals (1e-40): absolute bounds there
  zeta: { rtol: 1e-5, atol: 1e-38, grtol: 1e-5, gatol: 1e-38 },
  erf: { rtol: 1e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  erfc: { rtol: 2e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  erfinv: { rtol: 2e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  ndtr: { rtol: 2e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  log_ndtr: { rtol: 2e-6, atol: 1e-7, grtol: 1e-5, gatol: 1e-7 },
  ndtri: { rtol: 2e-6, atol: 1e-7, grtol: 1e-5, gatol: 1e-7 },
  xlogy: { rtol: 1e-6, atol: 1e-6, grtol: 1e-6, gatol: 1e-6 },
  xlog1py: { rtol: 1e-6, atol: 1e-6, grtol: 1e-6, gatol: 1e-6 },
  expit: { rtol: 1e-6, atol: 1e-37, grtol: 1e-5, gatol: 1e-37 },
  logit: { rtol: 1e-6, atol: 1e-6, grtol: 1e-5, gatol: 1e-6 },
  i0e: { rtol: 2e-6, atol: 1e-7, grtol: 1e-5, gatol: 1e-7 },
  i1e: { rtol: 2e-6, atol: 1e-7, grtol: 1e-5, gatol: 1e-7 },
};
/** WebGPU's exp, log and pow are a few ulp off (see test/helpers/backends.ts). */
const GPU_FACTOR = 50;

const backends = await backendMatrix();
for (const { platform, available } of backends) {
  describe.skipIf(!available)(`jax.scipy.special vs mpmath (${platform})`, () => {
    const scale = platform === "webgpu" ? GPU_FACTOR : 1;
    const cases = fixtures.cases.filter((c) => c.fn in FNS);
    it.each(cases.map((c, i) => [`${c.fn} #${i}`, c] as const))(
      "%s: values, gradients, jit and vmap",
      (_label, c) => {
        const t = TOL[c.fn]!;
        // betainc's prefix x^a (1-x)^b / B(a, b) goes through lgamma (as XLA's): its float32
        // cancellation grows with a + b, so the bound does too (1e-5 up to a + b = 20).
        const grow =
          c.fn === "betainc" ? Math.max(1, Math.max(...(decode(c.args[0]) as number[])) / 10) : 1;
        const bounds = {
          rtol: t.rtol * scale * grow,
          atol: t.atol * scale,
          grtol: t.grtol * scale * grow,
          gatol: t.gatol * scale,
        };
        return withBackend(platform, () => expectElementwiseCase(FNS[c.fn]!, c, bounds));
      },
      120_000,
    );

    it(
      "multigammaln and its derivative",
      onBackend(platform, async () => {
        const c = fixtures.cases.find((x) => x.fn === "multigammaln")!;
        const [as, ds] = c.args.map((a) => decode(a) as number[]);
        const values = decode(c.expected) as number[];
        const derivatives = decode(c.grads!["0"]) as number[];
        for (const [i, a] of as!.entries()) {
          const d = ds![i]!;
          const y = sp.multigammaln(a, d);
          expectClose(await readValues(y), [values[i]!], 2e-6 * scale, 1e-6);
          const g = jax.grad((v: A) => sp.multigammaln(v, d))(jnp.array(a)) as A;
          expectClose(await readValues(g), [derivatives[i]!], 1e-5 * scale, 1e-6);
        }
      }),
    );

    it(
      "logsumexp with b, axis and returnSign against scipy",
      onBackend(platform, async () => {
        for (const c of fixtures.logsumexp) {
          const a = jnp.array(decode(c.a) as number[]);
          const opts = { axis: c.axis, b: c.b === null ? null : jnp.array(c.b) };
          const [value, sign] = sp.logsumexp(a, { ...opts, returnSign: true });
          expectClose(await readValues(value!), decode(c.value), 1e-6 * scale, 1e-6, "logsumexp");
          expectClose(await readValues(sign!), c.sign as Decoded, 0, 0, "logsumexp sign");
          const plain = sp.logsumexp(a, opts);
          const signs = [c.sign].flat() as number[];
          const values = [decode(c.value)].flat() as number[];
          expectClose(
            await readValues(plain),
            values.map((v, i) => (c.b !== null && signs[i]! < 0 ? Number.NaN : v)),
            1e-6 * scale,
            1e-6,
            "logsumexp without sign",
          );
        }
        // d/da logsumexp(a, b) = b exp(a - out); d/db = exp(a - out)
        const a = jnp.array([0.5, -1, 2]);
        const b = jnp.array([1, 2, 0.5]);
        const [ga, gb] = jax.grad((x: A, w: A) => sp.logsumexp(x, { b: w }), { argnums: [0, 1] })(
          a,
          b,
        ) as A[];
        const s = 0.5 * Math.exp(2) + Math.exp(0.5) + 2 * Math.exp(-1);
        const e = [Math.exp(0.5), Math.exp(-1), Math.exp(2)].map((v) => v / s);
        expectClose(await readValues(ga!), [e[0]!, 2 * e[1]!, 0.5 * e[2]!], 1e-6 * scale, 1e-7);
        expectClose(await readValues(gb!), e, 1e-6 * scale, 1e-7);
        expect(jax.nn.logsumexp).toBe(sp.logsumexp);
      }),
    );

    it(
      "softmax and log_softmax over all axes by default, as scipy",
      onBackend(platform, async () => {
        const x = jnp.array([
          [1, 2],
          [3, 4],
        ]);
        const z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
        const expected = [1, 2, 3, 4].map((v) => Math.exp(v) / z);
        expectClose(await readValues(sp.softmax(x)), expected, 1e-6 * scale, 1e-7);
        expectClose(await readValues(sp.logSoftmax(x)), expected.map(Math.log), 1e-6 * scale, 1e-6);
        expectClose(
          await readValues(sp.softmax(x, 1)),
          [
            [0.26894142, 0.73105858],
            [0.26894142, 0.73105858],
          ],
          1e-6 * scale,
          1e-7,
        );
      }),
    );
  });
}

describe("jax.scipy.special: jaxprs and errors", () => {
  it("stages the lax primitives JAX has", () => {
    const text = jax
      .makeJaxpr((a: A, x: A) => sp.gammainc(a, x))(jnp.array(2), jnp.array(1))
      .toString();
    expect(text).toContain("igamma");
    expect(
      jax
        .makeJaxpr((x: A) => sp.i0e(x))(jnp.array(1))
        .toString(),
    ).toContain("bessel_i0e");
  });
  it("rejects integer arrays at the lax level and a non-integer d", () => {
    expect(() => jax.lax.igamma(jnp.array([1], "int32"), jnp.array([1], "int32"))).toThrow(
      /igamma does not accept dtype int32/,
    );
    expect(() => sp.multigammaln(3, 1.5)).toThrow(
      /multigammaln: d must be a static positive integer/,
    );
  });
});
