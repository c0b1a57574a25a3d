/**
 * Pytrees as in jax.tree_util: nested JS arrays, plain objects and instances of classes
 * registered with registerPytreeNode are containers; everything else (arrays, numbers, null,
 * ...) is a leaf. Object keys are ordered by sorted key, as JAX
 * sorts dict keys, so structures compare equal whatever the insertion order.
 */
import { ValueError } from "./errors.js";

export type PyTree<L = unknown> = L | readonly PyTree<L>[] | { readonly [key: string]: PyTree<L> };

export type TreeDef =
  | { kind: "leaf" }
  | { kind: "none" }
  | { kind: "array"; children: TreeDef[] }
  | { kind: "object"; keys: string[]; children: TreeDef[] }
  | { kind: "custom"; node: NodeType; aux: unknown; children: TreeDef[] };

/** How a registered class splits into children (and static aux data) and is rebuilt. */
export interface NodeType<T = unknown> {
  name: string;
  flatten: (x: T) => [children: unknown[], aux: unknown];
  unflatten: (aux: unknown, children: unknown[]) => T;
}
const nodeTypes = new Map<unknown, NodeType>();

/**
 * jax.tree_util.register_pytree_node: instances of `cls` become containers whose children
 * transforms (jit, vmap, grad, scan) see as leaves; `aux` is static and printed in the treedef.
 */
export function registerPytreeNode<T extends object>(
  cls: abstract new (...args: never[]) => T,
  flatten: (x: T) => [children: unknown[], aux: unknown],
  unflatten: (aux: unknown, children: unknown[]) => T,
): void {
  nodeTypes.set(cls.prototype, { name: cls.name, flatten, unflatten } as NodeType);
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" &&
  x !== null &&
  (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

/** jax.tree.flatten: the leaves in order and the structure that rebuilds the tree. */
export function treeFlatten<L = unknown>(
  tree: PyTree<L>,
  isLeaf?: (x: unknown) => boolean,
): [L[], TreeDef] {
  const leaves: L[] = [];
  const walk = (node: unknown): TreeDef => {
    if (isLeaf?.(node)) {
      leaves.push(node as L);
      return { kind: "leaf" };
    }
    if (node === null || node === undefined) return { kind: "none" };
    if (Array.isArray(node)) return { kind: "array", children: node.map(walk) };
    // Callable instances (RegularGridInterpolator) are functions with a registered prototype.
    const custom =
      typeof node === "object" || typeof node === "function"
        ? nodeTypes.get(Object.getPrototypeOf(node))
        : undefined;
    if (custom) {
      const [children, aux] = custom.flatten(node);
      return { kind: "custom", node: custom, aux, children: children.map(walk) };
    }
    if (isPlainObject(node)) {
      const keys = Object.keys(node).sort();
      return { kind: "object", keys, children: keys.map((k) => walk(node[k])) };
    }
    leaves.push(node as L);
    return { kind: "leaf" };
  };
  const def = walk(tree);
  Object.defineProperty(def, "toString", { value: () => treedefToString(def), enumerable: false });
  return [leaves, def];
}

/** jax.tree.unflatten */
export function treeUnflatten<L>(def: TreeDef, leaves: readonly L[]): PyTree<L> {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        if (i >= leaves.length)
          throw new ValueError(
            `tree.unflatten: too few leaves: the structure needs ${numLeaves(def)}, got ${leaves.length}`,
          );
        return leaves[i++];
      case "none":
        return null;
      case "array":
        return d.children.map(build);
      case "object":
        return Object.fromEntries(d.keys.map((k, j) => [k, build(d.children[j]!)]));
      case "custom":
        return d.node.unflatten(d.aux, d.children.map(build));
    }
  };
  const out = build(def);
  if (i !== leaves.length)
    throw new ValueError(
      `tree.unflatten: too many leaves: the structure needs ${numLeaves(def)}, got ${leaves.length}`,
    );
  return out as PyTree<L>;
}

export function numLeaves(def: TreeDef): number {
  return def.kind === "leaf"
    ? 1
    : def.kind === "none"
      ? 0
      : def.children.reduce((n, c) => n + numLeaves(c), 0);
}

/** PyTreeDef(...) text, in JAX's notation. */
export function treedefToString(def: TreeDef): string {
  const show = (d: TreeDef): string => {
    switch (d.kind) {
      case "leaf":
        return "*";
      case "none":
        return "None";
      case "array":
        return `[${d.children.map(show).join(", ")}]`;
      case "object":
        return `{${d.keys.map((k, i) => `'${k}': ${show(d.children[i]!)}`).join(", ")}}`;
      case "custom":
        return `CustomNode(${d.node.name}[${String(d.aux)}], [${d.children.map(show).join(", ")}])`;
    }
  };
  return `PyTreeDef(${show(def)})`;
}

export function treedefEqual(a: TreeDef, b: TreeDef): boolean {
  return treedefToString(a) === treedefToString(b);
}

export function treeLeaves<L = unknown>(tree: PyTree<L>, isLeaf?: (x: unknown) => boolean): L[] {
  return treeFlatten(tree, isLeaf)[0];
}
export function treeStructure(tree: PyTree, isLeaf?: (x: unknown) => boolean): TreeDef {
  return treeFlatten(tree, isLeaf)[1];
}

/** jax.tree.map over one or more trees of the same structure; errors name the mismatch. */
export function treeMap<L, R>(
  fn: (...leaves: L[]) => R,
  tree: PyTree<L>,
  ...rest: PyTree<L>[]
): PyTree<R> {
  const [leaves, def] = treeFlatten(tree);
  const others = rest.map((t, k) => {
    const [l, d] = treeFlatten(t);
    if (!treedefEqual(d, def))
      throw new ValueError(
        `tree.map: tree ${k + 1} has structure ${treedefToString(d)}, expected ${treedefToString(def)}`,
      );
    return l as L[];
  });
  return treeUnflatten(
    def,
    leaves.map((leaf, i) => fn(leaf as L, ...others.map((o) => o[i]!))),
  );
}

/** jax.tree.reduce */
export function treeReduce<L, A>(fn: (acc: A, leaf: L) => A, tree: PyTree<L>, initial: A): A {
  return (treeLeaves(tree) as L[]).reduce(fn, initial);
}

/** The jax.tree namespace. */
export const tree = {
  flatten: treeFlatten,
  unflatten: treeUnflatten,
  leaves: treeLeaves,
  structure: treeStructure,
  map: treeMap,
  reduce: treeReduce,
  all: (t: PyTree) => treeLeaves(t).every(Boolean),
};
