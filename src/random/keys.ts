/**
 * PRNG keys as in jax.random with its default implementation, threefry2x32 in "partitionable"
 * mode (jax_threefry_partitionable, JAX's default since 0.5.0): a key is two uint32 words, and
 * the i-th of n split keys, foldIn(key, i) and the i-th random word are all Threefry of the
 * 64-bit counter i, so streams do not depend on the shape they are drawn in.
 */
import { JaxArray } from "../core/array.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { registerPytreeNode } from "../core/pytree.js";
import { fmtShape, prod } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";

/** The name JAX gives the threefry key dtype. */
export const KEY_DTYPE = "key<fry>";

/**
 * A typed key array (jax.random.key): `shape` keys, each two uint32 words held in `data`
 * (shape [...shape, 2]). It is a pytree node over `data`, so it passes through jit, vmap and
 * scan; vmap's inAxes count the key dimensions (use non-negative axes).
 */
export class PRNGKeyArray {
  constructor(readonly data: JaxArray) {
    const s = data.shape;
    if (data.dtype !== "uint32" || s[s.length - 1] !== 2)
      throw new TypeError_(
        `PRNGKeyArray: key data must be uint32 with a trailing dimension of 2, got ${data.dtype}${fmtShape(s)}`,
      );
  }
  get shape(): number[] {
    return this.data.shape.slice(0, -1);
  }
  get ndim(): number {
    return this.data.ndim - 1;
  }
  get size(): number {
    return prod(this.shape);
  }
  get dtype(): string {
    return KEY_DTYPE;
  }
  /** Iterates over the first axis, so `const [k1, k2] = random.split(key)` works. */
  *[Symbol.iterator](): Iterator<PRNGKeyArray> {
    if (this.ndim === 0) throw new TypeError_("iteration over a 0-d key array");
    for (const row of this.data) yield new PRNGKeyArray(row);
  }
  /** keys[i] along the first axis. */
  get(i: number): PRNGKeyArray {
    if (this.ndim === 0) throw new TypeError_("indexing a 0-d key array");
    return new PRNGKeyArray(jnp.take(this.data, i, { axis: 0 }));
  }
  reshape(shape: readonly number[]): PRNGKeyArray {
    return new PRNGKeyArray(jnp.reshape(this.data, [...shape, 2]));
  }
  toString(): string {
    return `Array(${fmtShape(this.shape)}, dtype=${KEY_DTYPE}) overlaying:\n${this.data.toString()}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
registerPytreeNode(
  PRNGKeyArray,
  (k) => [[k.data], "threefry2x32"],
  (_aux, [data]) => new PRNGKeyArray(data as JaxArray),
);

/** A typed key array, or legacy raw key data: uint32 with a trailing dimension of 2. */
export type KeyLike = PRNGKeyArray | JaxArray;

/** The key data of a typed key, or the raw key checked. */
export function keyDataOf(fn: string, key: KeyLike): JaxArray {
  if (key instanceof PRNGKeyArray) return key.data;
  if (!(key instanceof JaxArray))
    throw new TypeError_(
      `${fn}: expected a PRNG key (random.key(seed) or random.PRNGKey(seed)), got ${typeof key}`,
    );
  const s = key.shape;
  if (key.dtype !== "uint32" || s.length === 0 || s[s.length - 1] !== 2)
    throw new TypeError_(
      `${fn}: JAX encountered invalid PRNG key data: expected key_data to have ndim >= 1 and a trailing dimension of 2 with dtype uint32, got ${key.dtype}${fmtShape(s)}`,
    );
  return key;
}

/** Wraps new key data the way the input key came: typed stays typed, raw stays raw. */
function likeKey(key: KeyLike, data: JaxArray): KeyLike {
  return key instanceof PRNGKeyArray ? new PRNGKeyArray(data) : data;
}

/** The two words of a single key, checking that it is one key and not a batch of them. */
export function keyWords(fn: string, key: KeyLike): [JaxArray, JaxArray] {
  const data = keyDataOf(fn, key);
  if (data.ndim !== 1)
    throw new TypeError_(
      `${fn} accepts a single key, but was given a key array of shape ${fmtShape(data.shape.slice(0, -1))} != (). Use jax.vmap for batching.`,
    );
  return [lax.squeeze(lax.slice(data, [0], [1]), [0]), lax.squeeze(lax.slice(data, [1], [2]), [0])];
}

/** The 64-bit counters 0..size-1 over `shape` in row-major order, as (high, low) uint32 words. */
function counters(shape: readonly number[]): [JaxArray, JaxArray] {
  const size = prod(shape);
  if (size >= 2 ** 32)
    throw new ValueError(`random: arrays of 2**32 or more elements are not supported, got ${size}`);
  const low = jnp.reshape(lax.iota("uint32", size), [...shape]);
  return [jnp.zeros([...shape], { dtype: "uint32" }), low];
}

/** Threefry of the counters over `shape` under one key: the two output words per element. */
function hashCounters(fn: string, key: KeyLike, shape: readonly number[]): [JaxArray, JaxArray] {
  const [k0, k1] = keyWords(fn, key);
  const [high, low] = counters(shape);
  return lax.threefry2x32(k0, k1, high, low);
}

/**
 * The key words for a seed, by JAX's threefry_seed with x64 disabled (its default): the seed as
 * int32 (JAX casts a Python int through int64, keeping the low 32 bits) gives the key
 * [0, seed mod 2**32], so 2**32 + 3 and 3 give the same key, and -1 gives [0, 2**32 - 1].
 */
function seedWords(fn: string, seed: number | JaxArray): JaxArray {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed))
      throw new TypeError_(
        `${fn}: the seed must be an integer within +-(2**53 - 1) (exact in JS), got ${seed}`,
      );
    const low = seed - Math.floor(seed / 2 ** 32) * 2 ** 32;
    return jnp.array([0, low], { dtype: "uint32" });
  }
  if (
    !(seed instanceof JaxArray) ||
    seed.ndim !== 0 ||
    !(seed.dtype === "int32" || seed.dtype === "uint32")
  )
    throw new TypeError_(
      `${fn}: PRNG key seed must be an integer scalar, got ${seed instanceof JaxArray ? `${seed.dtype}${fmtShape(seed.shape)}` : typeof seed}`,
    );
  const low = lax.convertElementType(seed, "uint32");
  return stackWords(jnp.zerosLike(low), low);
}

/**
 * Key data [...shape, 2] from the two words, by broadcast and select: both move 32-bit words
 * exactly on every backend (tf.js's webgpu concat passes int32 through float32).
 */
function stackWords(a: JaxArray, b: JaxArray): JaxArray {
  const shape = [...a.shape, 2];
  const dims = a.shape.map((_, i) => i);
  const isFirst = lax.eq(lax.broadcastedIota("int32", shape, a.ndim), 0);
  return lax.select(
    isFirst,
    lax.broadcastInDim(a, shape, dims),
    lax.broadcastInDim(b, shape, dims),
  );
}

/** jax.random.key(seed): a typed key array of shape (). */
export function key(seed: number | JaxArray): PRNGKeyArray {
  return new PRNGKeyArray(seedWords("key", seed));
}

/** jax.random.PRNGKey(seed): legacy raw key data, uint32[2]. */
export function PRNGKey(seed: number | JaxArray): JaxArray {
  return seedWords("PRNGKey", seed);
}

/** jax.random.key_data: the uint32 words under a key array ([...shape, 2]). */
export function keyData(keys: KeyLike): JaxArray {
  return keyDataOf("keyData", keys);
}

/** jax.random.wrap_key_data: a typed key array over uint32 key data ([...shape, 2]). */
export function wrapKeyData(data: JaxArray | number[] | number[][]): PRNGKeyArray {
  const arr = asArray("wrapKeyData", data, "uint32");
  return new PRNGKeyArray(keyDataOf("wrapKeyData", arr));
}

/** jax.random.split(key, num | shape): `num` (default 2) new keys, or a key array of `shape`. */
export function split(key: KeyLike, num: number | readonly number[] = 2): KeyLike {
  const shape = typeof num === "number" ? [num] : [...num];
  const [a, b] = hashCounters("split", key, shape);
  return likeKey(key, stackWords(a, b));
}

/** split(key, n) as a list of n keys (JAX's `k1, k2 = split(key)`). */
export function splitList(key: KeyLike, n = 2): KeyLike[] {
  return [...(split(key, n) as Iterable<KeyLike>)];
}

/** jax.random.fold_in(key, data): a new key mixing in a 32-bit integer. */
export function foldIn(key: KeyLike, data: number | JaxArray): KeyLike {
  const [k0, k1] = keyWords("foldIn", key);
  const word =
    typeof data === "number"
      ? jnp.array(data >>> 0, { dtype: "uint32" })
      : lax.convertElementType(asArray("foldIn", data), "uint32");
  if (word.ndim !== 0)
    throw new TypeError_(`foldIn: data must be a scalar, got shape ${fmtShape(word.shape)}`);
  const [a, b] = lax.threefry2x32(k0, k1, 0, word);
  return likeKey(key, stackWords(a, b));
}

/** jax.random.bits(key, shape): uniformly random uint32 words. */
export function bits(key: KeyLike, shape: readonly number[] = [], dtype = "uint32"): JaxArray {
  if (dtype !== "uint32")
    throw new TypeError_(`bits: only uint32 is supported (x64 is disabled), got dtype=${dtype}`);
  return randomBits("bits", key, shape);
}

/** 32 random bits per element: the xor of Threefry's two words for each counter. */
export function randomBits(fn: string, key: KeyLike, shape: readonly number[]): JaxArray {
  const [a, b] = hashCounters(fn, key, shape);
  return lax.bitwiseXor(a, b);
}
