/**
 * tfjax: JAX's programming model on TensorFlow.js.
 *   import * as jax from "tfjax";
 *   const jnp = jax.numpy;
 */
import { backendFromEnvironment, setDefaultBackend } from "./core/backend.js";
import * as infer from "./infer/index.js";
import * as lax from "./lax_namespace.js";
import * as nn from "./nn/index.js";
import * as numpy from "./numpy/index.js";
import * as optax from "./optax/index.js";
import * as random from "./random/index.js";
import * as scipy from "./scipy/index.js";

export { EagerArray, JaxArray as Array, JaxArray, type NestedArray, tidy } from "./core/array.js";
export { ShapedArray } from "./core/aval.js";
export {
  allDevices,
  Device,
  defaultBackend,
  devices,
  initBackend,
  type Platform,
  setDefaultBackend,
} from "./core/backend.js";
export { devicePut } from "./core/device_put.js";
export type { DType } from "./core/dtype.js";
export * as errors from "./core/errors.js";
export { ClosedJaxpr, Jaxpr } from "./core/jaxpr.js";
export { type PyTree, registerPytreeNode, type TreeDef, tree } from "./core/pytree.js";
export {
  ConcretizationTypeError,
  Tracer,
  TracerBoolConversionError,
  UnexpectedTracerError,
} from "./core/trace.js";
export { stopGradient } from "./lax/structural.js";
export {
  type CustomJvpFunction,
  type CustomVjpFunction,
  customJvp,
  customVjp,
} from "./transforms/custom_derivatives.js";
export { type JitOptions, type JitStats, type Jitted, jit } from "./transforms/jit.js";
export { jacfwd, jvp } from "./transforms/jvp.js";
export { evalShape, makeJaxpr, ShapeDtypeStruct } from "./transforms/staging.js";
export {
  type GradOptions,
  grad,
  hessian,
  jacobian,
  jacrev,
  linearize,
  valueAndGrad,
  vjp,
} from "./transforms/vjp.js";
export { type VmapOptions, vmap } from "./transforms/vmap.js";
export { infer, lax, nn, numpy, optax, random, scipy };

// TFJAX_BACKEND=webgpu (or JAX_PLATFORMS=webgpu) makes that backend the default at import.
const requested = backendFromEnvironment();
if (requested && requested !== "cpu") await setDefaultBackend(requested);
