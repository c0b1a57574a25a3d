/**
 * The public jax.lax namespace: the primitives of src/lax plus the structured control flow,
 * which lives with the transformations because it traces functions into Jaxprs.
 */
export * from "./lax/index.js";
export {
  cond,
  foriLoop,
  map,
  scan,
  switch_ as switch,
  whileLoop,
} from "./transforms/control_flow.js";
