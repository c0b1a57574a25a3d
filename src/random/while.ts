import type { JaxArray } from "../core/array.js";
import { readsSync } from "../core/array.js";
import { getDefaultDevice } from "../core/backend.js";
import { type PyTree, treeMap } from "../core/pytree.js";
import * as jnp from "../numpy/index.js";
import { foriLoop, whileLoop } from "../transforms/control_flow.js";

/**
 * lax.whileLoop for the rejection samplers. Where the default device cannot read a loop
 * condition back on the host (WebGPU in Node), it runs `maxRounds` masked rounds instead: a
 * round whose condition is false leaves the carry unchanged, so the result equals the while
 * loop's whenever the loop ends within maxRounds, and callers pick bounds that make running
 * out vanishingly unlikely.
 */
export function rejectionLoop<C extends readonly JaxArray[]>(
  cond: (carry: C) => JaxArray,
  body: (carry: C) => C,
  init: C,
  maxRounds: number,
): C {
  if (readsSync(getDefaultDevice())) return whileLoop<C>(cond, body, init);
  return foriLoop<C>(
    0,
    maxRounds,
    (_i, carry) => {
      const go = cond(carry);
      const next = body(carry);
      return treeMap(
        (n, c) => jnp.where(go, n as JaxArray, c as JaxArray),
        next as PyTree,
        carry as PyTree,
      );
    },
    init,
  );
}
