/** jax.random: explicit, splittable PRNG keys and the distributions drawn from them. */

export * from "./distributions.js";
export { randomGammaGrad } from "./gamma.js";
export {
  bits,
  foldIn,
  KEY_DTYPE,
  type KeyLike,
  key,
  keyData,
  PRNGKey,
  PRNGKeyArray,
  split,
  wrapKeyData,
} from "./keys.js";
