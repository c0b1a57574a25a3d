/** Reading the JSON fixtures of test/fixtures (made by scripts/fixtures/*.py) and checking cases. */
import { readFileSync } from "node:fs";
import * as jax from "../../src/index.js";
import { decode, expectClose } from "./compare.js";

type A = jax.Array;

/** test/fixtures/<name>, parsed. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}

/** An array's elements, read back asynchronously (WebGPU in Node cannot read synchronously). */
export async function readValues(x: A): Promise<number[]> {
  return Array.from(await x.data(), Number);
}

/**
 * An elementwise case of a fixture: one list per argument, the values at those points and, per
 * argument index, the derivatives there.
 */
export interface ElementwiseCase {
  fn: string;
  args: unknown[];
  expected: unknown;
  grads?: Record<string, unknown>;
}

export interface Bounds {
  rtol: number;
  atol: number;
  /** for the derivatives */
  grtol: number;
  gatol: number;
}

/**
 * f against the case's values eagerly, under jit (which may compile to other code than the eager
 * kernels) and under vmap, and grad of sum(f) in each argument with expected derivatives.
 */
export async function expectElementwiseCase(
  f: (...xs: A[]) => A,
  c: ElementwiseCase,
  bounds: Bounds,
): Promise<void> {
  const { rtol, atol, grtol, gatol } = bounds;
  const args = c.args.map((a) => jax.numpy.array(decode(a) as number[]));
  const expected = decode(c.expected);
  expectClose(await readValues(f(...args)), expected, rtol, atol, c.fn);
  expectClose(await readValues(jax.jit(f)(...args) as A), expected, rtol, atol, `${c.fn} jit`);
  expectClose(await readValues(jax.vmap(f)(...args) as A), expected, rtol, atol, `${c.fn} vmap`);
  for (const [k, g] of Object.entries(c.grads ?? {})) {
    const i = Number(k);
    const sumOfF = (v: A) => jax.numpy.sum(f(...args.map((a, j) => (j === i ? v : a))));
    const grad = jax.grad(sumOfF)(args[i]!) as A;
    expectClose(await readValues(grad), decode(g), grtol, gatol, `${c.fn} d/darg${i}`);
  }
}
