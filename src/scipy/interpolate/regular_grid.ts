/**
 * jax.scipy.interpolate.RegularGridInterpolator: linear and nearest-neighbour interpolation on a
 * rectilinear grid in any number of dimensions. As in JAX it is composed of searchsorted, gathers
 * and where, so it is differentiable in the values and the query points, batchable and jittable,
 * and the interpolator is a pytree (its grid, values and fill value are leaves).
 */
import { EagerArray, JaxArray } from "../../core/array.js";
import { NotImplementedError, TypeError_, ValueError } from "../../core/errors.js";
import { registerPytreeNode } from "../../core/pytree.js";
import { fmtShape, prod } from "../../core/shape.js";
import * as jnp from "../../numpy/index.js";
import { type JaxArgs, readArgs } from "../../numpy/options.js";
import { type ArrayLike, asArray, promoteInexact } from "../../numpy/util.js";

const NAME = "RegularGridInterpolator";
const METHODS = ["linear", "nearest"] as const;
export type InterpolationMethod = (typeof METHODS)[number];

export interface RegularGridInterpolatorOptions {
  /** "linear" (default) or "nearest". */
  method?: InterpolationMethod;
  /** Only false is supported, as in JAX: a data-dependent error cannot be raised under jit. */
  boundsError?: boolean;
  /** Value for queries outside the grid (default NaN); null extrapolates. */
  fillValue?: ArrayLike | null;
}

export interface RegularGridInterpolatorCallOptions {
  /** Overrides the interpolator's method for this call. */
  method?: InterpolationMethod | null;
}

/**
 * Query points: an array of shape [..., ndim] (a 1-d array is read as rows of ndim coordinates),
 * or scipy's tuple form, a JS array holding one coordinate array (jax.Array) per dimension,
 * broadcast together; numbers in that tuple broadcast as scalars.
 */
export type Query = ArrayLike | readonly (JaxArray | number)[];

interface Parts {
  grid: readonly JaxArray[];
  values: JaxArray;
  method: InterpolationMethod;
  fillValue: JaxArray | null;
}

/**
 * `new RegularGridInterpolator(points, values, {method, boundsError, fillValue})` interpolates
 * `values` (shape [len(points[0]), ..., len(points[ndim-1]), ...trailing]) given on the grid of
 * strictly ascending 1-d `points`; the instance is called as `interp(xi, {method})` and returns
 * an array of shape [...xi.shape.slice(0, -1), ...trailing].
 *
 * Values become float; strict ascent of the points is checked when they are readable on the host
 * (JS lists, cpu and wasm arrays), not for tracers or WebGPU arrays (JAX checks neither).
 */
export interface RegularGridInterpolator {
  (
    xi: Query,
    ...rest: JaxArgs<[InterpolationMethod | null], RegularGridInterpolatorCallOptions>
  ): JaxArray;
  /** The grid coordinates, one 1-d array per dimension. */
  readonly grid: readonly JaxArray[];
  readonly values: JaxArray;
  readonly method: InterpolationMethod;
  /** Always false (JAX supports no bounds checking). */
  readonly boundsError: false;
  /** null: out-of-grid queries extrapolate. */
  readonly fillValue: JaxArray | null;
}

interface RegularGridInterpolatorConstructor {
  new (
    points: readonly ArrayLike[],
    values: ArrayLike,
    ...rest: JaxArgs<
      [InterpolationMethod, boolean, ArrayLike | null],
      RegularGridInterpolatorOptions
    >
  ): RegularGridInterpolator;
  readonly prototype: RegularGridInterpolator;
}

const Impl = class RegularGridInterpolator {
  constructor(points: readonly ArrayLike[], values: ArrayLike, ...rest: unknown[]) {
    const o = readArgs<RegularGridInterpolatorOptions>(NAME, rest, [
      "method",
      "boundsError",
      "fillValue",
    ]);
    const method = checkMethod(o.method ?? "linear");
    if (o.boundsError)
      throw new NotImplementedError(
        `${NAME}: boundsError=true is not supported (as in JAX, an error that depends on the query values cannot be raised under jit); pass boundsError: false and test the query points yourself`,
      );
    const [vals] = promoteInexact(NAME, values) as [JaxArray];
    const grid = checkGrid(points, vals);
    const fillValue = o.fillValue === null ? null : checkFill(o.fillValue ?? Number.NaN, vals);
    // biome-ignore lint/correctness/noConstructorReturn: instances are callable, as in Python.
    return makeInterpolator({ grid, values: vals, method, fillValue });
  }
};
// Instances are functions: keep call, apply and bind on their prototype chain.
Object.setPrototypeOf(Impl.prototype, Function.prototype);
export const RegularGridInterpolator = Impl as unknown as RegularGridInterpolatorConstructor;

function makeInterpolator(parts: Parts): RegularGridInterpolator {
  const interp = (xi: Query, ...rest: unknown[]) => {
    const o = readArgs<RegularGridInterpolatorCallOptions>(NAME, rest, ["method"]);
    return evaluate(parts, xi, checkMethod(o.method ?? parts.method));
  };
  Object.setPrototypeOf(interp, RegularGridInterpolator.prototype);
  return Object.assign(interp, { ...parts, boundsError: false }) as RegularGridInterpolator;
}

registerPytreeNode(
  Impl,
  (impl) => {
    const r = impl as unknown as RegularGridInterpolator;
    return [[r.grid, r.values, r.fillValue], r.method];
  },
  // Rebuilt without the constructor's checks: leaves may be tracers or placeholders here.
  (method, [grid, values, fillValue]) =>
    makeInterpolator({
      grid: grid as JaxArray[],
      values: values as JaxArray,
      method: method as InterpolationMethod,
      fillValue: (fillValue ?? null) as JaxArray | null,
    }) as unknown as InstanceType<typeof Impl>,
);

function checkMethod(method: unknown): InterpolationMethod {
  if (!METHODS.includes(method as InterpolationMethod))
    throw new ValueError(
      `${NAME}: method '${String(method)}' is not defined; expected one of 'linear', 'nearest'`,
    );
  return method as InterpolationMethod;
}

function checkGrid(points: readonly ArrayLike[], values: JaxArray): JaxArray[] {
  if (!Array.isArray(points))
    throw new TypeError_(
      `${NAME}: points must be a JS array of 1-d coordinate arrays, one per dimension, got ${typeof points}`,
    );
  if (points.length === 0) throw new ValueError(`${NAME}: points must not be empty`);
  if (points.length > values.ndim)
    throw new ValueError(
      `${NAME}: there are ${points.length} point arrays, but values has ${values.ndim} dimensions (shape ${fmtShape(values.shape)})`,
    );
  return points.map((p, d) => {
    const g = asArray(NAME, p);
    if (g.ndim !== 1)
      throw new ValueError(
        `${NAME}: the points in dimension ${d} must be 1-dimensional, got shape ${fmtShape(g.shape)}`,
      );
    if (g.shape[0] !== values.shape[d])
      throw new ValueError(
        `${NAME}: there are ${g.shape[0]} points and ${values.shape[d]} values in dimension ${d} (values of shape ${fmtShape(values.shape)})`,
      );
    if (g.shape[0]! < 2)
      throw new ValueError(
        `${NAME}: dimension ${d} has ${g.shape[0]} point(s); interpolation needs at least 2 per dimension`,
      );
    const host = hostValues(p, g);
    if (host)
      for (let k = 1; k < host.length; k++)
        if (!(host[k]! > host[k - 1]!))
          throw new ValueError(
            `${NAME}: the points in dimension ${d} must be strictly ascending; points[${d}][${k - 1}] = ${host[k - 1]} and points[${d}][${k}] = ${host[k]}`,
          );
    return g;
  });
}

/**
 * The coordinates as host numbers when reading them is cheap, else null: tracers have none, and
 * a WebGPU read would stall the device (and cannot be synchronous in Node).
 */
function hostValues(p: ArrayLike, g: JaxArray): readonly number[] | null {
  if (Array.isArray(p)) return p as number[];
  if (!(g instanceof EagerArray) || g.device.platform === "webgpu") return null;
  return Array.from(g.dataSync());
}

function checkFill(fill: ArrayLike, values: JaxArray): JaxArray {
  const f = asArray(NAME, fill);
  if (f.dtype === "bool")
    throw new ValueError(
      `${NAME}: fillValue must be null or a number compatible with values of dtype ${values.dtype}, got a bool`,
    );
  return f.dtype === values.dtype ? f : f.astype(values.dtype);
}

/** scipy's _ndim_coords_from_arrays: the query points as one array of shape [..., ndim]. */
function queryPoints(xi: Query, ndim: number): JaxArray {
  let q: Query = xi;
  if (Array.isArray(q) && q.length === 1 && q[0] instanceof JaxArray) q = q[0];
  if (Array.isArray(q) && q.some((c) => c instanceof JaxArray)) {
    const coords = promoteInexact(NAME, ...(q as (JaxArray | number)[]));
    return jnp.stack(jnp.broadcastArrays(...coords), -1);
  }
  const x = asArray(NAME, q as ArrayLike);
  if (x.ndim === 0)
    throw new ValueError(
      `${NAME}: the query points xi must have shape [..., ${ndim}], got a scalar; pass [x]`,
    );
  if (x.ndim > 1) return x;
  if (x.size % ndim !== 0)
    throw new ValueError(
      `${NAME}: ${x.size} query coordinates cannot be read as points of dimension ${ndim}; pass xi of shape [..., ${ndim}]`,
    );
  return jnp.reshape(x, [x.size / ndim, ndim]);
}

function evaluate(parts: Parts, xi: Query, method: InterpolationMethod): JaxArray {
  const { grid, values, fillValue } = parts;
  const ndim = grid.length;
  const x = queryPoints(xi, ndim);
  if (x.shape[x.ndim - 1] !== ndim)
    throw new ValueError(
      `${NAME}: the requested sample points xi have dimension ${x.shape[x.ndim - 1]} (shape ${fmtShape(x.shape)}), but this interpolator has dimension ${ndim}`,
    );
  const queryShape = x.shape.slice(0, -1);
  const n = prod(queryShape);
  const rows = jnp.reshape(x, [n, ndim]);
  const cells = grid.map((g, d) => locate(g, jnp.reshape(rows.get([":", d]), [n])));
  const trailing = values.shape.slice(ndim);
  const perPoint = (a: JaxArray) => jnp.reshape(a, [n, ...trailing.map(() => 1)]);
  let result = method === "linear" ? linear(values, cells, perPoint) : nearest(values, cells);
  if (fillValue !== null) {
    const outside = cells.map((c) => c.outside).reduce((a, b) => jnp.logicalOr(a, b));
    result = jnp.where(perPoint(outside), fillValue, result);
  }
  return jnp.reshape(result, [...queryShape, ...trailing]);
}

interface Cell {
  /** Index of the lower grid node of the interval holding x, clipped to [0, m - 2]. */
  lower: JaxArray;
  /** (x - g[lower]) / (g[lower + 1] - g[lower]): in [0, 1] inside, beyond it when extrapolating. */
  t: JaxArray;
  /** x < g[0] or x > g[m - 1]. */
  outside: JaxArray;
}

function locate(g: JaxArray, x: JaxArray): Cell {
  const m = g.shape[0]!;
  const lower = jnp.clip(jnp.subtract(jnp.searchsorted(g, x), 1), 0, m - 2);
  const g0 = jnp.take(g, lower);
  const g1 = jnp.take(g, jnp.add(lower, 1));
  const t = jnp.divide(jnp.subtract(x, g0), jnp.subtract(g1, g0));
  const outside = jnp.logicalOr(jnp.less(x, g.get(0)), jnp.greater(x, g.get(m - 1)));
  return { lower, t, outside };
}

/** Sum over the 2^ndim corners of each cell of value times the product of 1-d weights. */
function linear(
  values: JaxArray,
  cells: readonly Cell[],
  perPoint: (a: JaxArray) => JaxArray,
): JaxArray {
  let sum: JaxArray | undefined;
  for (let corner = 0; corner < 2 ** cells.length; corner++) {
    // Bit d (from the most significant) picks the upper node in dimension d.
    const upper = cells.map((_, d) => ((corner >> (cells.length - 1 - d)) & 1) === 1);
    const index = cells.map((c, d) => (upper[d] ? jnp.add(c.lower, 1) : c.lower));
    const weight = cells
      .map((c, d) => (upper[d] ? c.t : jnp.subtract(1, c.t)))
      .reduce((a, b) => jnp.multiply(a, b));
    const term = jnp.multiply(values.get(index), perPoint(weight));
    sum = sum === undefined ? term : jnp.add(sum, term);
  }
  return sum!;
}

/** The value at the nearer node in every dimension; a tie takes the lower node, as scipy. */
function nearest(values: JaxArray, cells: readonly Cell[]): JaxArray {
  const index = cells.map((c) => jnp.where(jnp.lessEqual(c.t, 0.5), c.lower, jnp.add(c.lower, 1)));
  return values.get(index);
}
