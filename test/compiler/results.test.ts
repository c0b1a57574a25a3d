/**
 * Results of compiled cpu programs: host arrays that become tf.js tensors only when a tf.js
 * kernel needs them. They must behave as every other array: read, print, feed eager ops, move
 * between devices, and be freed by dispose(), tidy() or garbage collection.
 */
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import * as jax from "../../src/index.js";

const jnp = jax.numpy;
type A = jax.Array;
const liveTensors = () => tf.memory().numTensors;

describe("results of jitted calls on cpu", () => {
  const f = jax.jit((x: A) => jnp.exp(x).mul(2).sub(1));
  const x = jnp.array([0, 1, 2]);
  const expected = [1, 2 * Math.E - 1, 2 * Math.exp(2) - 1];

  it("cost no tf.js tensor on a cached call", () => {
    f(x);
    const before = liveTensors();
    const ys = Array.from({ length: 10 }, () => f(x));
    expect(liveTensors()).toBe(before);
    for (const y of ys) expect(y.tolist()).toEqual(expected.map(Math.fround));
  });

  it("read, print and convert like every other array", async () => {
    const y = f(x);
    expect(Array.from(y.dataSync())).toEqual(expected.map(Math.fround));
    expect(Array.from(await y.data())).toEqual(expected.map(Math.fround));
    expect(String(y)).toBe("Array([ 1.       ,  4.4365635, 13.778112 ], dtype=float32)");
    expect(Number(jax.jit((v: A) => v.sum())(x))).toBe(3);
    expect(await y.blockUntilReady()).toBe(y);
  });

  it("feed eager operations, which make their tensor once", () => {
    const y = f(x);
    const before = liveTensors();
    const z = jnp.add(y, 1);
    expect(liveTensors()).toBe(before + 2); // y's tensor and z
    expect(z.tolist()).toEqual(expected.map((v) => Math.fround(Math.fround(v) + 1)));
    expect(jnp.add(y, y).tolist()).toEqual(expected.map((v) => Math.fround(2 * Math.fround(v))));
    expect(liveTensors()).toBe(before + 3);
  });

  it("are freed by dispose, and raise the usual error afterwards", () => {
    const y = f(x) as jax.EagerArray;
    y.dispose();
    expect(y.isDisposed).toBe(true);
    expect(() => y.tolist()).toThrow(/after dispose/);
    expect(() => jnp.add(y, 1)).toThrow(/after dispose/);
    const z = f(x) as jax.EagerArray;
    jnp.add(z, 1); // now backed by a tensor
    const before = liveTensors();
    z.dispose();
    expect(liveTensors()).toBe(before - 1);
  });

  it("are freed at the end of tidy unless returned, even after becoming tensors inside tf.js", () => {
    const before = liveTensors();
    const kept = jax.tidy(() => {
      const y = f(x);
      const z = jnp.multiply(y, y); // y becomes a tensor inside this scope
      return f(z);
    });
    expect(liveTensors()).toBe(before);
    expect((kept as jax.EagerArray).isDisposed).toBe(false);
    expect(kept.shape).toEqual([3]);
    jnp.add(kept, kept); // a tensor made after its scope ended belongs to the array
    expect(liveTensors()).toBe(before + 2);
  });

  it("move to another device with their values", async () => {
    await jax.initBackend("wasm");
    const y = f(x);
    const moved = jax.devicePut(y, "wasm");
    expect(moved.device.platform).toBe("wasm");
    expect(Array.from(await moved.data())).toEqual(expected.map(Math.fround));
  });

  it("keep dtypes that tf.js stores differently (uint32 words, bool bytes)", () => {
    const g = jax.jit((v: A) => [v.astype("uint32").add(4294967295), v.gt(1), v.astype("int32")]);
    const [u, b, i] = g(jnp.array([1, 2, 3])) as A[];
    expect(u!.tolist()).toEqual([0, 1, 2]);
    expect(u!.dtype).toBe("uint32");
    expect(b!.tolist()).toEqual([false, true, true]);
    expect(i!.tolist()).toEqual([1, 2, 3]);
    expect(jnp.add(u!, 1).tolist()).toEqual([1, 2, 3]);
    expect(jnp.logicalNot(b!).tolist()).toEqual([true, false, false]);
  });

  it("can be closed over by another jitted function", () => {
    const w = f(x);
    const g = jax.jit((v: A) => v.add(w));
    expect(g(jnp.ones([3])).tolist()).toEqual(expected.map((v) => Math.fround(Math.fround(v) + 1)));
    expect(g(jnp.zeros([3])).tolist()).toEqual(expected.map(Math.fround));
  });
});
