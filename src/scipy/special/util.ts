import type { JaxArray } from "../../core/array.js";
import { TypeError_ } from "../../core/errors.js";
import { type ArrayLike, broadcastArraysTo, promoteInexact } from "../../numpy/util.js";

/** Promotes the arguments to a common float dtype and broadcasts them, as JAX's promote_args_inexact. */
export function floats(name: string, ...args: ArrayLike[]): JaxArray[] {
  return broadcastArraysTo(name, promoteInexact(name, ...args));
}

/** A static positive integer argument (multigammaln's d). */
export function staticInt(name: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new TypeError_(`${name}: ${arg} must be a static positive integer, got ${String(v)}`);
  return v;
}
