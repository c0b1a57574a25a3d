/** jax.scipy.interpolate. */
export {
  type InterpolationMethod,
  type Query,
  RegularGridInterpolator,
  type RegularGridInterpolatorCallOptions,
  type RegularGridInterpolatorOptions,
} from "./regular_grid.js";
