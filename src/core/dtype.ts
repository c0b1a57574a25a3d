import { TypeError_ } from "./errors.js";

/** tfjax's dtypes. float16/float64 are in the promotion lattice so they can be added later. */
export type DType = "float32" | "int32" | "uint32" | "bool";
export const DTYPES: readonly DType[] = ["float32", "int32", "uint32", "bool"];

/** The tf.js dtype a tfjax dtype is stored as. uint32 keeps its bits in an int32 tensor. */
export type StorageDType = "float32" | "int32" | "bool";
export function storageDtype(dtype: DType): StorageDType {
  return dtype === "uint32" ? "int32" : dtype;
}

export function isDtype(name: unknown): name is DType {
  return typeof name === "string" && (DTYPES as readonly string[]).includes(name);
}

export function checkDtype(fn: string, name: unknown): DType {
  if (isDtype(name)) return name;
  throw new TypeError_(
    `${fn}: unsupported dtype ${String(name)}; expected one of ${DTYPES.join(", ")}`,
  );
}

export const isFloating = (d: DType): boolean => d === "float32";
export const isInteger = (d: DType): boolean => d === "int32" || d === "uint32";
export const isUnsigned = (d: DType): boolean => d === "uint32";
export const isSignedInteger = (d: DType): boolean => d === "int32";
/** True for the dtypes numpy calls "number" (everything except bool). */
export const isNumeric = (d: DType): boolean => d !== "bool";

/** Short names as JAX prints them in jaxprs: f32[3], i32[], u32[2], bool[]. */
export function shortName(dtype: DType): string {
  return { float32: "f32", int32: "i32", uint32: "u32", bool: "bool" }[dtype];
}

// JAX's type-promotion lattice (jax._src.dtypes, "jnp type promotion" design note), with the
// weak types i* (a Python/JS int) and f* (a Python/JS float). 64-bit nodes are kept so joins
// match JAX's; canonicalize() then maps them to the 32-bit dtypes JAX uses with x64 disabled.
type Node =
  | "b1"
  | "i*"
  | "f*"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "i8"
  | "i16"
  | "i32"
  | "i64"
  | "bf16"
  | "f16"
  | "f32"
  | "f64";
const LATTICE: Record<Node, Node[]> = {
  b1: ["i*"],
  "i*": ["u8", "i8"],
  u8: ["i16", "u16"],
  u16: ["i32", "u32"],
  u32: ["i64", "u64"],
  u64: ["f*"],
  i8: ["i16"],
  i16: ["i32"],
  i32: ["i64"],
  i64: ["f*"],
  "f*": ["bf16", "f16"],
  bf16: ["f32"],
  f16: ["f32"],
  f32: ["f64"],
  f64: [],
};

function upperBounds(node: Node): Set<Node> {
  const seen = new Set<Node>([node]);
  const stack = [node];
  while (stack.length)
    for (const up of LATTICE[stack.pop()!]) {
      if (seen.has(up)) continue;
      seen.add(up);
      stack.push(up);
    }
  return seen;
}
const UPPER = Object.fromEntries(
  (Object.keys(LATTICE) as Node[]).map((n) => [n, upperBounds(n)]),
) as Record<Node, Set<Node>>;

function joinNodes(a: Node, b: Node): Node {
  const common = [...UPPER[a]].filter((n) => UPPER[b].has(n));
  // The least upper bound is the common bound from which all other common bounds are reachable.
  return common.find((n) => common.every((m) => UPPER[n].has(m)))!;
}

function toNode(dtype: DType, weakType: boolean): Node {
  if (weakType && dtype !== "bool") return isFloating(dtype) ? "f*" : "i*";
  return ({ float32: "f32", int32: "i32", uint32: "u32", bool: "b1" } as const)[dtype];
}

function canonicalize(node: Node): { dtype: DType; weakType: boolean } {
  switch (node) {
    case "b1":
      return { dtype: "bool", weakType: false };
    case "i*":
      return { dtype: "int32", weakType: true };
    case "f*":
      return { dtype: "float32", weakType: true };
    case "u8":
    case "u16":
    case "u32":
    case "u64":
      return { dtype: "uint32", weakType: false };
    case "i8":
    case "i16":
    case "i32":
    case "i64":
      return { dtype: "int32", weakType: false };
    default:
      return { dtype: "float32", weakType: false };
  }
}

export interface DtypeAndWeak {
  dtype: DType;
  weakType: boolean;
}

/** JAX's result type of combining values (jnp.result_type), weak types included. */
export function resultType(...types: DtypeAndWeak[]): DtypeAndWeak {
  if (types.length === 0) throw new TypeError_("resultType: at least one argument is required");
  let node = toNode(types[0]!.dtype, types[0]!.weakType);
  for (const t of types.slice(1)) node = joinNodes(node, toNode(t.dtype, t.weakType));
  return canonicalize(node);
}

/** jnp.promote_types for two strong dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return resultType({ dtype: a, weakType: false }, { dtype: b, weakType: false }).dtype;
}

/** The dtype a floating-only operation (sqrt, mean, true divide) computes in. */
export function toInexact(t: DtypeAndWeak): DtypeAndWeak {
  return isFloating(t.dtype) ? t : { dtype: "float32", weakType: t.weakType };
}

/** numpy's finfo/iinfo for the supported dtypes. */
export function finfo(dtype: "float32") {
  void dtype;
  return {
    bits: 32,
    eps: 2 ** -23,
    epsneg: 2 ** -24,
    max: 3.4028234663852886e38,
    min: -3.4028234663852886e38,
    tiny: 2 ** -126,
    smallestNormal: 2 ** -126,
    resolution: 1e-6,
    dtype: "float32" as const,
  };
}
export function iinfo(dtype: "int32" | "uint32" | "bool") {
  if (dtype === "uint32") return { bits: 32, min: 0, max: 4294967295, dtype };
  if (dtype === "bool") return { bits: 8, min: 0, max: 1, dtype };
  return { bits: 32, min: -2147483648, max: 2147483647, dtype };
}
