import { TypeError_ } from "../core/errors.js";
import { isOptions } from "./util.js";

/**
 * Reads JAX-style arguments: positional values in JAX's order (`names`), then an optional
 * trailing options object with keyword arguments (camelCase) for those names or for the
 * keyword-only `keywords`. Unknown keywords and surplus positional values raise, as Python does,
 * so that a misspelt option never changes a result silently.
 */
export function readArgs<O extends object>(
  fn: string,
  rest: readonly unknown[],
  names: readonly (keyof O & string)[],
  keywords: readonly string[] = [],
): Partial<O> {
  const out: Record<string, unknown> = {};
  let positional = rest;
  const last = rest[rest.length - 1];
  if (isOptions(last)) {
    positional = rest.slice(0, -1);
    for (const key of Object.keys(last))
      if (!names.includes(key as keyof O & string) && !keywords.includes(key))
        throw new TypeError_(`${fn}() got an unexpected keyword argument '${key}'`);
    Object.assign(out, last);
  }
  if (positional.length > names.length)
    throw new TypeError_(
      `${fn}() takes at most ${names.length} optional positional arguments after the array, got ${positional.length}`,
    );
  positional.forEach((v, i) => {
    if (v !== undefined) out[names[i]!] = v;
  });
  return out as Partial<O>;
}

type Maybe<T extends readonly unknown[]> = { [K in keyof T]: T[K] | undefined };
/** Every prefix of a tuple of positional arguments, longest first. */
type Prefixes<T extends readonly unknown[]> = T extends readonly [...infer Head, unknown]
  ? Maybe<T> | Prefixes<Head>
  : [];
/**
 * The rest arguments of a JAX-style function: a prefix of its optional positional arguments
 * `T` (in JAX's order), optionally followed by an options object `O` naming any of them.
 */
export type JaxArgs<T extends readonly unknown[], O> =
  | Prefixes<T>
  | (Prefixes<T> extends infer P ? (P extends readonly unknown[] ? [...P, O] : never) : never);
