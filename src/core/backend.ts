import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BackendError } from "./errors.js";

/** Platforms a tfjax device can live on. `cuda` is tfjs-node-gpu's "tensorflow" backend. */
export type Platform = "cpu" | "wasm" | "webgpu" | "tensorflow" | "cuda";
export const PLATFORMS: readonly Platform[] = ["cpu", "wasm", "webgpu", "tensorflow", "cuda"];

/** A device, as jax.Device: a platform and an id. tf.js exposes one device per backend. */
export class Device {
  constructor(
    readonly platform: Platform,
    readonly id = 0,
  ) {}
  /** The tf.js backend name this device runs on. */
  get tfBackend(): string {
    return this.platform === "cuda" ? "tensorflow" : this.platform;
  }
  toString(): string {
    return `${this.platform}:${this.id}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Device(${this.platform}:${this.id})`;
  }
}

const PACKAGES: Record<Platform, string> = {
  cpu: "@tensorflow/tfjs-backend-cpu",
  wasm: "@tensorflow/tfjs-backend-wasm",
  webgpu: "@tensorflow/tfjs-backend-webgpu",
  tensorflow: "@tensorflow/tfjs-node",
  cuda: "@tensorflow/tfjs-node-gpu",
};

const devicesByPlatform = new Map<Platform, Device>([["cpu", new Device("cpu")]]);
let defaultDevice: Device = devicesByPlatform.get("cpu")!;
const initializers = new Map<Platform, Promise<Device>>();
/** Called after a backend starts, so kernels tfjax adds (bitwise ops, ...) get registered. */
const backendHooks: ((platform: Platform) => void)[] = [];

export function onBackendInit(hook: (platform: Platform) => void): void {
  backendHooks.push(hook);
  for (const platform of devicesByPlatform.keys()) hook(platform);
}

function checkPlatform(name: string): Platform {
  if ((PLATFORMS as readonly string[]).includes(name)) return name as Platform;
  throw new BackendError(`unknown backend '${name}'; expected one of ${PLATFORMS.join(", ")}`);
}

/** Gives Node a WebGPU adapter through the `webgpu` package (Dawn) when no navigator.gpu exists. */
async function provideNodeWebGPU(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  let mod: { create: (flags: string[]) => GPU; globals: object };
  try {
    mod = (await import("webgpu")) as unknown as typeof mod;
  } catch {
    throw new BackendError(
      "backend 'webgpu' in Node needs the 'webgpu' package: npm install webgpu",
    );
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([`backend=${process.env.TFJAX_DAWN_BACKEND ?? "opengl"}`]);
  // Mesa's OpenGL path offers only WebGPU's compatibility feature level.
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (options?: GPURequestAdapterOptions) =>
    request({ featureLevel: "compatibility", ...(options ?? {}) } as GPURequestAdapterOptions);
  const nav = (g.navigator ?? {}) as { gpu?: unknown; userAgent?: string };
  Object.defineProperty(globalThis, "navigator", {
    value: { ...nav, gpu, userAgent: nav.userAgent ?? "node" },
    configurable: true,
    writable: true,
  });
}

async function loadBackendPackage(platform: Platform): Promise<void> {
  if (platform === "cpu") return;
  if (platform === "webgpu" && typeof process !== "undefined" && process.versions?.node)
    await provideNodeWebGPU();
  try {
    await import(/* @vite-ignore */ PACKAGES[platform]);
  } catch (e) {
    throw new BackendError(
      `backend '${platform}' needs the package ${PACKAGES[platform]}: npm install ${PACKAGES[platform]} (${(e as Error).message})`,
    );
  }
}

/** Starts a backend (loading its package lazily) and returns its device. */
export function initBackend(name: Platform | string): Promise<Device> {
  let platform: Platform;
  try {
    platform = checkPlatform(name);
  } catch (e) {
    return Promise.reject(e);
  }
  const existing = initializers.get(platform);
  if (existing) return existing;
  const started = (async () => {
    const device = devicesByPlatform.get(platform) ?? new Device(platform);
    if (platform !== "cpu") {
      await loadBackendPackage(platform);
      const previous = tf.getBackend();
      const ok = await tf.setBackend(device.tfBackend).catch((e: Error) => {
        throw new BackendError(`backend '${platform}' failed to start: ${e.message}`);
      });
      if (!ok)
        throw new BackendError(
          `backend '${platform}' failed to start (no adapter or device found)`,
        );
      if (previous) await tf.setBackend(previous);
    }
    devicesByPlatform.set(platform, device);
    for (const hook of backendHooks) hook(platform);
    return device;
  })();
  started.catch(() => initializers.delete(platform));
  initializers.set(platform, started);
  return started;
}

/** jax.devices(): the devices of one platform, or of the default one. */
export function devices(platform?: Platform | string): Device[] {
  if (platform === undefined) return [defaultDevice];
  const p = checkPlatform(platform);
  const device = devicesByPlatform.get(p);
  if (!device)
    throw new BackendError(
      `backend '${p}' is not initialized; call await jax.initBackend("${p}") first`,
    );
  return [device];
}

/** Every started backend's devices. */
export function allDevices(): Device[] {
  return [...devicesByPlatform.values()];
}

export function getDefaultDevice(): Device {
  return defaultDevice;
}

/** jax.default_backend(): the platform new arrays go to. */
export function defaultBackend(): Platform {
  return defaultDevice.platform;
}

/** Runs fn with `device` as the default device (jit's `backend` option), then restores it. */
export function withDefaultDevice<R>(device: Device, fn: () => R): R {
  const previous = defaultDevice;
  defaultDevice = device;
  try {
    return fn();
  } finally {
    defaultDevice = previous;
  }
}

/** Makes `platform` the default for new arrays, starting it if needed. */
export async function setDefaultBackend(platform: Platform | string): Promise<Device> {
  defaultDevice = await initBackend(platform);
  return defaultDevice;
}

/** Runs tf.js kernels on `device` from here on. Switching between started backends is synchronous. */
export function activate(device: Device): void {
  if (currentTfBackend === device.tfBackend) return;
  void tf.setBackend(device.tfBackend);
  if (tf.getBackend() !== device.tfBackend)
    throw new BackendError(
      `backend '${device.platform}' is not initialized; call await jax.initBackend("${device.platform}")`,
    );
  currentTfBackend = device.tfBackend;
}
let currentTfBackend = "";

// tf.js picks the highest-priority registered backend on its own; tfjax always starts on cpu.
// PROD mode skips tf.js's debug checks and its "install tfjs-node" banner.
tf.env().set("PROD", true);
void tf.setBackend("cpu");
currentTfBackend = "cpu";

/** The platform named by TFJAX_BACKEND (or JAX_PLATFORMS, first entry), if any. */
export function backendFromEnvironment(): Platform | undefined {
  if (typeof process === "undefined") return undefined;
  const name = process.env.TFJAX_BACKEND || process.env.JAX_PLATFORMS?.split(",")[0];
  return name ? checkPlatform(name.trim()) : undefined;
}
