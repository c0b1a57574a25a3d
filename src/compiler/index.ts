/**
 * What jit does with a Jaxpr: optimize it once (src/compiler/passes.ts), then run it with the
 * plan for the arguments' backend: one generated JS program on cpu (src/compiler/cpu.ts),
 * fused WGSL kernels on webgpu (src/compiler/webgpu.ts), and elsewhere the optimized Jaxpr op
 * by op through tf.js kernels, each intermediate freed at its last use. Plans are cached on the
 * jit cache's Jaxpr, so a repeated call neither traces nor generates code.
 */
import type { EagerArray, JaxArray } from "../core/array.js";
import { type Device, getDefaultDevice, withDefaultDevice } from "../core/backend.js";
import { devicePut } from "../core/device_put.js";
import { ClosedJaxpr, evalJaxpr } from "../core/jaxpr.js";
import { compileCpu } from "./cpu.js";
import { optimize } from "./passes.js";
import { compileWebgpu } from "./webgpu.js";

export { optimize } from "./passes.js";

type Plan = (args: EagerArray[]) => JaxArray[];
const plans = new WeakMap<ClosedJaxpr, Map<string, Plan>>();
let plansBuilt = 0;

/** How many plans the compiler has built (each trace and backend needs one). */
export const compiledPlanCount = (): number => plansBuilt;

/** Whether compiled plans are used (TFJAX_JIT=interpret turns them off, for debugging). */
const compiling = () => process.env.TFJAX_JIT !== "interpret";

/** Runs a jitted function's Jaxpr on concrete arguments with the plan for their backend. */
export function runJitted(closed: ClosedJaxpr, args: EagerArray[]): JaxArray[] {
  const device = args[0]?.device ?? getDefaultDevice();
  let uniform = true;
  for (const a of args) if (a.device.platform !== device.platform) uniform = false;
  if (!uniform || !compiling()) return evalJaxpr(closed.jaxpr, closed.consts, args, { free: true });
  let byPlatform = plans.get(closed);
  if (!byPlatform) {
    byPlatform = new Map();
    plans.set(closed, byPlatform);
  }
  let plan = byPlatform.get(device.platform);
  if (!plan) {
    plan = buildPlan(closed, device);
    byPlatform.set(device.platform, plan);
  }
  return plan(args);
}

function buildPlan(closed: ClosedJaxpr, device: Device): Plan {
  plansBuilt++;
  // Constants folded at compile time, and the Jaxpr's own, live where the plan runs.
  const optimized = withDefaultDevice(device, () => {
    const o = optimize(closed);
    const consts = o.consts.map((c) =>
      (c as EagerArray).device?.platform === device.platform ? c : devicePut(c, device),
    );
    // The plan outlives the call that built it, which may run inside jax.tidy: its constants
    // must not be freed with that scope.
    for (const c of consts) (c as EagerArray).share?.();
    return new ClosedJaxpr(o.jaxpr, consts);
  });
  if (device.platform === "cpu") {
    // Primitives without generated code run their tf.js kernels from inside the program.
    const program = compileCpu(optimized, closed.outAvals, device);
    return (args) => program.run(args);
  }
  if (device.platform === "webgpu") return compileWebgpu(optimized, closed.outAvals, device);
  return (args) => evalJaxpr(optimized.jaxpr, optimized.consts, args, { free: true });
}
