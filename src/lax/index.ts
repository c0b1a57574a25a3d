/** jax.lax: the primitive set and its functions. */

export type { Operand } from "./common.js";
export * from "./elementwise.js";
export * from "./gather.js";
export * from "./linalg.js";
export * as linalg from "./linalg_prims.js";
export * from "./reduction.js";
export * from "./sorting.js";
export * from "./structural.js";
export * from "./threefry.js";

import "./jvp_rules.js";
import "./transpose_rules.js";
import "./batch_rules.js";

export * from "./special.js";
