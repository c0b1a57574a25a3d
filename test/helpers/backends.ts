/**
 * The backend matrix: cpu always, wasm and webgpu when they start here. CI sets
 * TFJAX_REQUIRE_WEBGPU=1 so that a missing WebGPU adapter fails instead of skipping.
 */
import { defaultBackend, initBackend, type Platform, setDefaultBackend } from "../../src/index.js";

export interface BackendStatus {
  platform: Platform;
  available: boolean;
  reason?: string;
}

let cached: Promise<BackendStatus[]> | undefined;

export function backendMatrix(): Promise<BackendStatus[]> {
  cached ??= (async () => {
    const wanted = (process.env.TFJAX_TEST_BACKENDS ?? "cpu,wasm,webgpu")
      .split(",")
      .map((s) => s.trim()) as Platform[];
    const out: BackendStatus[] = [];
    for (const platform of wanted) {
      try {
        await initBackend(platform);
        out.push({ platform, available: true });
      } catch (e) {
        const reason = (e as Error).message;
        if (platform === "webgpu" && process.env.TFJAX_REQUIRE_WEBGPU === "1")
          throw new Error(
            `webgpu is required (TFJAX_REQUIRE_WEBGPU=1) but did not start: ${reason}`,
          );
        console.warn(
          `[tfjax tests] backend '${platform}' unavailable, its tests are skipped: ${reason}`,
        );
        out.push({ platform, available: false, reason });
      }
    }
    return out;
  })();
  return cached;
}

/** Tolerances for float32 results: GPU transcendental functions are a few ulp off. */
export function tolerance(platform: Platform): { rtol: number; atol: number } {
  return platform === "webgpu" ? { rtol: 2e-4, atol: 1e-5 } : { rtol: 2e-6, atol: 1e-6 };
}

/** Runs body with platform as the default backend, and restores the previous default after. */
export async function withBackend<T>(platform: Platform, body: () => T | Promise<T>): Promise<T> {
  const previous = defaultBackend();
  await setDefaultBackend(platform);
  try {
    return await body();
  } finally {
    await setDefaultBackend(previous);
  }
}

/** withBackend as a test body: `it("...", onBackend(platform, async () => { ... }))`. */
export function onBackend<T>(platform: Platform, body: () => T | Promise<T>): () => Promise<T> {
  return () => withBackend(platform, body);
}
