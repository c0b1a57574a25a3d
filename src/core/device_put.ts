import * as tf from "@tensorflow/tfjs-core";
import { EagerArray, JaxArray } from "./array.js";
import { activate, type Device, devices, getDefaultDevice } from "./backend.js";
import { scalarArray, weakDtypeOfNumber } from "./constants.js";
import { storageDtype } from "./dtype.js";
import { TypeError_ } from "./errors.js";
import { type PyTree, treeMap } from "./pytree.js";

/**
 * jax.device_put: copies every array leaf of a pytree (JS numbers too) to `device` (a Device or
 * a started platform's name; the default device when omitted).
 */
export function devicePut<T extends PyTree>(x: T, device?: Device | string): T {
  const target =
    device === undefined
      ? getDefaultDevice()
      : typeof device === "string"
        ? devices(device)[0]!
        : device;
  return treeMap((leaf: unknown) => putLeaf(leaf, target), x as PyTree) as T;
}

function putLeaf(leaf: unknown, target: Device): EagerArray {
  if (typeof leaf === "number") return scalarArray(leaf, weakDtypeOfNumber(leaf), true, target);
  if (typeof leaf === "boolean") return scalarArray(leaf, "bool", false, target);
  if (!(leaf instanceof EagerArray))
    throw new TypeError_(
      leaf instanceof JaxArray
        ? "devicePut: cannot move a traced value; call it outside the transformed function"
        : `devicePut: expected arrays or JS numbers in the tree, got ${typeof leaf}`,
    );
  activate(target);
  const copy = tf.tensor(leaf.storageValues(), leaf.shape, storageDtype(leaf.dtype));
  return new EagerArray(copy, leaf.dtype, leaf.weakType, target);
}
