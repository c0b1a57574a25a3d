/**
 * jnp.linalg's factorizations, composed of jnp operations so that they differentiate, batch
 * and jit like any other function. Leading dimensions are batch dimensions.
 */
import type { JaxArray } from "../core/array.js";
import { ValueError } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import * as lax from "../lax/index.js";
import { arange } from "./creation.js";
import { matmul } from "./linalg.js";
import { expandDims, swapaxes } from "./shape.js";
import { add, divide, equal, greater, multiply, sqrt, subtract, where } from "./ufuncs.js";
import { type ArrayLike, promoteInexact } from "./util.js";

function squareMatrices(fn: string, a: ArrayLike): JaxArray {
  const [x] = promoteInexact(fn, a);
  const n = x!.shape[x!.ndim - 1];
  if (x!.ndim < 2 || x!.shape[x!.ndim - 2] !== n)
    throw new ValueError(
      `${fn}: expected a square matrix (or a batch of them), got shape ${fmtShape(x!.shape)}`,
    );
  return x!;
}

/**
 * jnp.linalg.cholesky(a): the lower-triangular L with L L^T = a, column by column
 * (Cholesky-Banachiewicz). As in JAX, a matrix that is not positive definite gives NaNs.
 */
export function cholesky(a: ArrayLike): JaxArray {
  const x = squareMatrices("cholesky", a);
  const n = x.shape[x.ndim - 1]!;
  const rows = arange(n);
  let L = multiply(x, 0);
  for (let j = 0; j < n; j++) {
    // Column j of a minus the contribution of the columns already found.
    const colA = lax.sliceInDim(x, j, j + 1, 1, x.ndim - 1);
    const rowL = lax.sliceInDim(L, j, j + 1, 1, x.ndim - 2);
    const col = subtract(colA, matmul(L, swapaxes(rowL, -1, -2)));
    const diag = sqrt(lax.sliceInDim(col, j, j + 1, 1, x.ndim - 2));
    const below = expandDims(greater(rows, j), -1);
    const atJ = expandDims(equal(rows, j), -1);
    const newCol = where(below, divide(col, diag), where(atJ, diag, 0));
    L = add(L, multiply(newCol, equal(arange(n), j)));
  }
  return L;
}
