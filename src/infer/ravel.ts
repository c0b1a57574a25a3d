/**
 * ravelPytree (jax.flatten_util.ravel_pytree): a pytree of arrays as one flat float vector and
 * the function that rebuilds the tree from such a vector. Samplers do their vector arithmetic
 * (momenta, mass matrices, U-turn checks) on the flat vector and hand the user's log-density
 * its own tree.
 */
import type { JaxArray } from "../core/array.js";
import { TypeError_, ValueError } from "../core/errors.js";
import { type PyTree, treeFlatten, treeUnflatten } from "../core/pytree.js";
import { fmtShape, prod } from "../core/shape.js";
import * as lax from "../lax/index.js";
import * as jnp from "../numpy/index.js";
import { asArray } from "../numpy/util.js";

export type Unravel<T = PyTree> = (flat: JaxArray) => T;

/** The leaves of a position as float32 arrays, checking their dtypes. */
function floatLeaves(fn: string, tree: PyTree): [JaxArray[], ReturnType<typeof treeFlatten>[1]] {
  const [leaves, def] = treeFlatten(tree);
  if (leaves.length === 0) throw new ValueError(`${fn}: the position holds no arrays`);
  const arrays = leaves.map((leaf, i) => {
    const a = asArray(fn, leaf as never, "float32");
    const dtype = typeof leaf === "object" && leaf !== null && "dtype" in leaf ? leaf.dtype : "";
    if (dtype !== "" && dtype !== "float32")
      throw new TypeError_(
        `${fn}: position leaf ${i} must be float32 (samplers move continuous parameters), got ${String(dtype)}${fmtShape(a.shape)}`,
      );
    return a;
  });
  return [arrays, def];
}

/** ravelPytree(tree) -> [flat float32 vector, unravel]: unravel(flat) rebuilds the tree. */
export function ravelPytree<T = PyTree>(tree: T): [JaxArray, Unravel<T>] {
  const [leaves, def] = floatLeaves("ravelPytree", tree as PyTree);
  const shapes = leaves.map((a) => a.shape);
  const sizes = shapes.map(prod);
  const total = sizes.reduce((s, n) => s + n, 0);
  const flat =
    leaves.length === 1
      ? jnp.reshape(leaves[0]!, [total])
      : jnp.concatenate(leaves.map((a, i) => jnp.reshape(a, [sizes[i]!])));
  const unravel = (v: JaxArray): T => {
    if (v.ndim !== 1 || v.shape[0] !== total)
      throw new ValueError(
        `unravel: expected a flat vector of shape (${total},), got ${fmtShape(v.shape)}`,
      );
    let offset = 0;
    const parts = shapes.map((shape, i) => {
      const part = leaves.length === 1 ? v : lax.slice(v, [offset], [offset + sizes[i]!]);
      offset += sizes[i]!;
      return jnp.reshape(part, shape);
    });
    return treeUnflatten(def, parts) as T;
  };
  return [flat, unravel];
}
