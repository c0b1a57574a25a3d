import * as tf from "@tensorflow/tfjs-core";
import { ShapedArray } from "./aval.js";
import { type Device, getDefaultDevice } from "./backend.js";
import { type DType, storageDtype } from "./dtype.js";
import { DisposedArrayError, IndexError, SyncReadError, TypeError_ } from "./errors.js";
import { disposeTensor, type HostArray, recycleHostArray } from "./host_buffers.js";
import { formatArrayRepr, formatArrayStr } from "./repr.js";
import { prod, type Shape } from "./shape.js";

/** A nested JS array of numbers or booleans, as jnp.array accepts. */
export type NestedArray = number | boolean | readonly NestedArray[];

/**
 * jax.Array: the type of every array value, concrete or traced. Methods (add, reshape, get, at,
 * sum, ...) are attached by src/numpy so that they work the same on concrete arrays and tracers.
 */
export abstract class JaxArray {
  abstract get aval(): ShapedArray;

  get shape(): number[] {
    return this.aval.shape as number[];
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get weakType(): boolean {
    return this.aval.weakType;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return prod(this.aval.shape);
  }
  /** numpy's len(): the size of the first axis. */
  get length(): number {
    if (this.ndim === 0) throw new TypeError_("len() of unsized object (a 0-d array)");
    return this.aval.shape[0]!;
  }

  /** Iterates over the first axis, so `const [a, b] = x` and `for (const row of x)` work. */
  *[Symbol.iterator](): Iterator<JaxArray> {
    if (this.ndim === 0) throw new TypeError_("iteration over a 0-d array");
    const n = this.aval.shape[0]!;
    for (let i = 0; i < n; i++) yield this.indexFirstAxis(i);
  }
  /** x[i]; `get` is attached by src/numpy (core cannot import it). */
  protected indexFirstAxis(i: number): JaxArray {
    const get = (this as unknown as { get?: (i: number) => JaxArray }).get;
    if (!get) throw new IndexError("indexing needs tfjax's numpy module (import from 'tfjax')");
    return get.call(this, i);
  }
  /** Number(x), `x > 0`, `${x}` on a size-1 array use its value, as Python's float(x). */
  abstract [Symbol.toPrimitive](hint: string): number | string | boolean;

  // Reading values needs a concrete array; tracers override these to raise JAX's errors.
  abstract get device(): Device;
  abstract dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array;
  abstract data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array>;
  abstract blockUntilReady(): Promise<this>;
  abstract tolist(): NestedArray;
  abstract item(): number | boolean;
  abstract str(): string;
}

/** What fromHost passes for the tensor: never stored (the host values are). */
const NO_TENSOR = null as unknown as tf.Tensor;
/** Live eager arrays in the innermost tidy() scope, released when it ends. */
const tidyScopes: Set<EagerArray>[] = [];
const releaseOnCollect = new FinalizationRegistry<tf.Tensor>(disposeTensor);

/**
 * A concrete array: a tf.js tensor plus tfjax's dtype and JAX's weak-type flag. A compiled cpu
 * program's result starts as its host values alone and becomes a tf.js tensor only when a
 * tf.js kernel needs one: a cached jitted call then costs no tensor bookkeeping, and an
 * unreachable result is plain garbage (no finalizer).
 */
export class EagerArray extends JaxArray {
  #tensor: tf.Tensor | null;
  /** Values on the cpu backend not (yet) handed to tf.js; null once they have been. */
  #host: HostArray | null = null;
  readonly #aval: ShapedArray;
  readonly #device: Device;

  constructor(
    tensor: tf.Tensor,
    dtype: DType,
    weakType = false,
    device: Device = getDefaultDevice(),
    aval?: ShapedArray,
    host: HostArray | null = null,
  ) {
    super();
    this.#tensor = host === null ? tensor : null;
    this.#host = host;
    this.#aval = aval ?? new ShapedArray(tensor.shape, dtype, weakType);
    this.#device = device;
    // Inside tidy() the scope frees the array; only arrays that outlive every scope need the
    // (comparatively slow) finalization registry.
    const scope = tidyScopes.at(-1);
    if (scope) scope.add(this);
    else this.releaseWhenCollected();
  }

  /** An array on the cpu backend holding `values` (in tf.js's storage type for the dtype). */
  static fromHost(values: HostArray, aval: ShapedArray, device: Device): EagerArray {
    return new EagerArray(NO_TENSOR, aval.dtype, aval.weakType, device, aval, values);
  }

  get aval(): ShapedArray {
    return this.#aval;
  }

  get device(): Device {
    return this.#device;
  }

  /** The underlying tf.js tensor (owned by this array: do not dispose it yourself). */
  get tensor(): tf.Tensor {
    const tensor = this.#tensor ?? this.#tensorOfHost();
    if (tensor.isDisposed) throw this.#disposedError();
    return tensor;
  }

  #tensorOfHost(): tf.Tensor {
    if (this.#host === null) throw this.#disposedError();
    const shape = this.#aval.shape as number[];
    const backend = tf.findBackend("cpu")!;
    const tensor = tf.engine().makeTensor(this.#host, shape, storageDtype(this.dtype), backend);
    // The tensor belongs to this array, not to whichever tf.tidy is running now.
    tf.keep(tensor);
    this.#tensor = tensor as tf.Tensor;
    this.#host = null;
    if (this.#watched) releaseOnCollect.register(this, this.#tensor, this);
    return this.#tensor;
  }

  #disposedError(): DisposedArrayError {
    return new DisposedArrayError(
      `Array${this.aval.strShort()} was used after dispose() or after the tidy() scope that made it ended`,
    );
  }

  /** The values in tf.js's storage type (int32 words for uint32), without conversion. */
  storageValues(): HostArray {
    return this.#host ?? (this.tensor.dataSync() as HostArray);
  }

  get isDisposed(): boolean {
    return this.#tensor === null ? this.#host === null : this.#tensor.isDisposed;
  }

  #shared = false;
  /** Whether this is a shared internal constant (a cached JS scalar). */
  get isShared(): boolean {
    return this.#shared;
  }

  /**
   * Marks an internal constant shared between operations (cached JS scalars): it leaves tidy
   * scopes and dispose() no longer frees it; only garbage collection does, after release().
   */
  share(): this {
    this.#shared = true;
    if (tidyScopes.at(-1)?.delete(this)) this.releaseWhenCollected();
    return this;
  }

  #watched = false;
  /** @internal Frees the tensor when this array becomes unreachable. */
  releaseWhenCollected(): void {
    if (this.#watched) return;
    this.#watched = true;
    if (this.#tensor !== null) releaseOnCollect.register(this, this.#tensor, this);
  }

  /** Frees the tensor now instead of when the array is garbage collected. */
  dispose(): void {
    if (this.#shared) return;
    if (this.#tensor === null) {
      if (this.#host !== null) recycleHostArray(this.#host);
      this.#host = null;
      return;
    }
    if (this.#watched) releaseOnCollect.unregister(this);
    disposeTensor(this.#tensor);
  }

  /** The values as a flat typed array: Float32Array, Int32Array, Uint32Array or Uint8Array (bool). */
  dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array {
    return this.fromStorage(this.#host ?? readSync(this.tensor, this.device));
  }

  async data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array> {
    if (this.#host !== null) return this.fromStorage(this.#host);
    return this.fromStorage((await this.tensor.data()) as Float32Array | Int32Array | Uint8Array);
  }

  /**
   * The typed array for this dtype. tf.js sometimes keeps another element type underneath
   * (a cast from bool keeps bytes; webgpu relabels int32 buffers as float32), so convert then.
   */
  private fromStorage(values: Float32Array | Int32Array | Uint8Array) {
    switch (this.dtype) {
      case "uint32":
        return values instanceof Int32Array
          ? new Uint32Array(values.buffer, values.byteOffset, values.length)
          : Uint32Array.from(values);
      case "float32":
        return values instanceof Float32Array ? values : Float32Array.from(values);
      case "int32":
        return values instanceof Int32Array ? values : Int32Array.from(values);
      default:
        return values instanceof Uint8Array ? values : Uint8Array.from(values, (v) => (v ? 1 : 0));
    }
  }

  /** Waits until the value is computed (for timing on asynchronous backends such as webgpu). */
  async blockUntilReady(): Promise<this> {
    if (this.#host === null) await this.tensor.data();
    return this;
  }

  /** Nested JS arrays of numbers (booleans for bool), as numpy's tolist(). */
  tolist(): NestedArray {
    return nest(this.flatValues(), this.shape);
  }

  /** The value of a size-1 array as a JS number (boolean for bool). */
  item(): number | boolean {
    if (this.size !== 1)
      throw new TypeError_(
        `item: can only convert an array of size 1 to a scalar, got shape (${this.shape})`,
      );
    return this.flatValues()[0]!;
  }

  private flatValues(): (number | boolean)[] {
    const values = Array.from(this.dataSync());
    return this.dtype === "bool" ? values.map((v) => v !== 0) : values;
  }

  override [Symbol.toPrimitive](hint: string): number | string | boolean {
    if (hint === "string") return this.toString();
    if (this.size !== 1)
      throw new TypeError_(
        `only size-1 arrays can be converted to JS scalars; this one has shape (${this.shape}). Use .tolist() or .get(i)`,
      );
    const value = this.item();
    return typeof value === "boolean" ? Number(value) : value;
  }

  override toString(): string {
    return formatArrayRepr(this.reprValues(), this.shape, this.dtype, this.weakType);
  }

  /** numpy's str(x): the values without the Array(...) wrapper. */
  str(): string {
    return formatArrayStr(this.reprValues(), this.shape, this.dtype);
  }

  private reprValues(): ArrayLike<number> | boolean[] {
    if (this.isDisposed) return [];
    const values = this.dataSync();
    return this.dtype === "bool" ? Array.from(values, (v) => v !== 0) : values;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.isDisposed ? `Array(<disposed>, dtype=${this.dtype})` : this.toString();
  }
}

/**
 * tf.js reads WebGPU buffers synchronously through OffscreenCanvas, which browsers have and
 * Node does not: there the value can only be read with `await x.data()`.
 */
export function readsSync(device: Device): boolean {
  return !(device.platform === "webgpu" && typeof OffscreenCanvas === "undefined");
}
export function readSync(
  tensor: tf.Tensor,
  device: Device,
): Float32Array | Int32Array | Uint8Array {
  try {
    return tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  } catch (e) {
    if (!readsSync(device))
      throw new SyncReadError(
        `cannot read an array on ${device} synchronously here (WebGPU in Node has no OffscreenCanvas); use await x.data(), or jax.devicePut(x, "cpu") after awaiting x.blockUntilReady()`,
      );
    throw e;
  }
}

function nest(flat: (number | boolean)[], shape: Shape): NestedArray {
  if (shape.length === 0) return flat[0]!;
  const [n, ...rest] = shape;
  const step = prod(rest);
  return Array.from({ length: n! }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), rest));
}

/** jax.tidy-style scope: arrays made inside fn and not part of its result are freed at the end. */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<EagerArray>();
  tidyScopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    tidyScopes.pop();
    for (const array of scope) array.dispose();
    throw e;
  }
  tidyScopes.pop();
  const kept = new Set<EagerArray>();
  collectArrays(result, kept);
  for (const array of scope) if (!kept.has(array)) array.dispose();
  const parent = tidyScopes.at(-1);
  for (const array of kept) {
    if (!scope.has(array)) continue;
    if (parent) parent.add(array);
    else array.releaseWhenCollected();
  }
  return result;
}

function collectArrays(value: unknown, out: Set<EagerArray>): void {
  if (value instanceof EagerArray) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collectArrays(v, out);
  else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collectArrays(v, out);
}
