/**
 * Recycles the typed arrays that compiled cpu programs hand out as results: allocating (and
 * zeroing) a large typed array on every call costs more than the loop that fills it. An array
 * goes back to the pool only when tf.js has released its data (no view shares it any more).
 */
import * as tf from "@tensorflow/tfjs-core";

export type HostArray = Float32Array | Int32Array | Uint8Array;
type HostArrayKind = "Float32Array" | "Int32Array" | "Uint8Array";
const CONSTRUCTORS = { Float32Array, Int32Array, Uint8Array };

/** Below this many elements allocation is cheap and pooling is not worth a lookup. */
const MIN_POOLED = 4096;
/** Spare arrays kept per (kind, length). */
const MAX_SPARE = 4;

const recyclable = new WeakSet<HostArray>();
const spare = new Map<string, HostArray[]>();

/** A typed array of `length` elements, reused from a released result when one is free. */
export function takeHostArray(kind: HostArrayKind, length: number): HostArray {
  if (length < MIN_POOLED) return new CONSTRUCTORS[kind](length);
  const reused = spare.get(`${kind}:${length}`)?.pop();
  if (reused) return reused;
  const fresh = new CONSTRUCTORS[kind](length);
  recyclable.add(fresh);
  return fresh;
}

interface CpuBackendData {
  // tf.js's DataStorage: get() of another backend's data moves it here, so ask has() first.
  data: { has(id: object): boolean; get(id: object): { values?: unknown } | undefined };
}

/** Disposes a tensor, returning its array to the pool when it was a pooled result. */
export function disposeTensor(t: tf.Tensor): void {
  if (t.isDisposed) return;
  const backend = tf.findBackend("cpu") as unknown as CpuBackendData | null;
  const onCpu = backend?.data.has(t.dataId) ?? false;
  const values = onCpu ? (backend!.data.get(t.dataId)?.values as HostArray | undefined) : undefined;
  t.dispose();
  if (values && !backend!.data.has(t.dataId)) recycleHostArray(values);
}

/** Returns a result array that nothing references any more to the pool (if it came from it). */
export function recycleHostArray(values: HostArray): void {
  if (!recyclable.has(values)) return;
  const key = `${values.constructor.name}:${values.length}`;
  const list = spare.get(key) ?? [];
  if (list.length < MAX_SPARE) list.push(values);
  spare.set(key, list);
}
