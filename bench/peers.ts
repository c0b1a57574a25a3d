/**
 * The same workloads written against each peer: tfjax eager, tf.js used directly, jax-js, and a
 * hand-written JS loop. Every version computes the same values so the results can be checked.
 *
 * The elementwise chain is 10 ops (tanh, add, mul, sub, exp, div, log, neg, abs, mul) that maps
 * any input to a bounded range, so it can be iterated (chain(chain(x))) without overflow.
 */

import type * as JaxJs from "@jax-js/jax";
import * as tf from "@tensorflow/tfjs-core";
import * as jax from "../src/index.js";

const jnp = jax.numpy;
type JArray = jax.JaxArray;
type JsArray = JaxJs.Array;

export const CHAIN_OPS = 10;
export const SELU_ALPHA = 1.67;
export const SELU_LAMBDA = 1.05;

// --- tfjax ----------------------------------------------------------------------------------
export function chainTfjax(x: JArray, y: JArray): JArray {
  let a = jnp.tanh(x);
  a = a.add(y);
  a = a.mul(y);
  a = a.sub(y);
  a = jnp.exp(a);
  a = a.div(y);
  a = jnp.log(a);
  a = a.neg();
  a = a.abs();
  return a.mul(y);
}

/** JAX's jit tutorial function, as a user writes it with jnp. */
export function seluTfjax(x: JArray): JArray {
  return jnp.where(x.gt(0), x, jnp.exp(x).mul(SELU_ALPHA).sub(SELU_ALPHA)).mul(SELU_LAMBDA);
}

// --- tf.js used directly ----------------------------------------------------------------------
export function chainTf(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  let a = tf.tanh(x);
  a = tf.add(a, y);
  a = tf.mul(a, y);
  a = tf.sub(a, y);
  a = tf.exp(a);
  a = tf.div(a, y);
  a = tf.log(a);
  a = tf.neg(a);
  a = tf.abs(a);
  return tf.mul(a, y);
}

export function seluTf(x: tf.Tensor): tf.Tensor {
  return tf.mul(
    tf.where(tf.greater(x, 0), x, tf.sub(tf.mul(tf.exp(x), SELU_ALPHA), SELU_ALPHA)),
    SELU_LAMBDA,
  );
}

// --- jax-js (manual reference counting: every argument is consumed unless passed as .ref) -----
export function chainJaxJs(np: typeof JaxJs.numpy, x: JsArray, y: JsArray): JsArray {
  let a = np.tanh(x);
  a = a.add(y.ref);
  a = a.mul(y.ref);
  a = a.sub(y.ref);
  a = np.exp(a);
  a = a.div(y.ref);
  a = np.log(a);
  a = a.neg();
  a = np.abs(a);
  return a.mul(y.ref);
}

export function seluJaxJs(np: typeof JaxJs.numpy, x: JsArray): JsArray {
  return np
    .where(x.ref.greater(0), x.ref, np.exp(x).mul(SELU_ALPHA).sub(SELU_ALPHA))
    .mul(SELU_LAMBDA);
}

// --- hand-written JS loops --------------------------------------------------------------------
function chainScalar(v: number, y: number): number {
  let a = Math.tanh(v);
  a = a + y;
  a = a * y;
  a = a - y;
  a = Math.exp(a);
  a = a / y;
  a = Math.log(a);
  a = -a;
  a = Math.abs(a);
  return a * y;
}

/** `iterations` chains applied to every element, fused into one loop. */
export function chainLoop(
  x: Float32Array,
  y: Float32Array,
  out: Float32Array,
  iterations: number,
): Float32Array {
  for (let i = 0; i < x.length; i++) {
    let v = x[i]!;
    const w = y[i]!;
    for (let k = 0; k < iterations; k++) v = Math.fround(chainScalar(v, w));
    out[i] = v;
  }
  return out;
}

export function seluLoop(x: Float32Array, out: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = SELU_LAMBDA * (v > 0 ? v : SELU_ALPHA * Math.exp(v) - SELU_ALPHA);
  }
  return out;
}

/** Deterministic inputs: x roughly in [-3, 3], y in [0.5, 1.5) (y divides, so it stays positive). */
export function inputs(
  n: number,
  seed = 1,
): { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer> } {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = 6 * next() - 3;
    y[i] = 0.5 + next();
  }
  return { x, y };
}

// --- random numbers: the JS loops are the practical floor (Math.random, no keys) ---------------
export function uniformLoop(out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = Math.random();
  return out;
}

/** Box-Muller, both outputs of each pair used; 1 - u keeps log's argument in (0, 1]. */
export function normalLoop(out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - Math.random()));
    const theta = 2 * Math.PI * Math.random();
    out[i] = r * Math.cos(theta);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}
