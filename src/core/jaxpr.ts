/**
 * The Jaxpr IR (variables, literals, equations) with JAX's textual format, and the interpreter
 * that evaluates a Jaxpr by binding its primitives (so it works under every transformation).
 */
import { EagerArray, type JaxArray } from "./array.js";
import type { ShapedArray } from "./aval.js";
import { cachedScalar } from "./constants.js";
import { brk, concat, type Doc, format, group, join, nest, nil, text } from "./pretty.js";
import { bind, type Params, type Primitive } from "./primitive.js";

export class Var {
  constructor(readonly aval: ShapedArray) {}
}
export class Literal {
  constructor(
    readonly value: number | boolean,
    readonly aval: ShapedArray,
  ) {}
}
export type Atom = Var | Literal;

export interface JaxprEqn {
  primitive: Primitive;
  inputs: Atom[];
  params: Params;
  outBinders: Var[];
}

export class Jaxpr {
  constructor(
    readonly constvars: Var[],
    readonly invars: Var[],
    readonly eqns: JaxprEqn[],
    readonly outs: Atom[],
  ) {}
  toString(): string {
    return printJaxpr(this);
  }
}

/** A Jaxpr with the values of its constvars, as jax.make_jaxpr returns. */
export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: JaxArray[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.jaxpr.invars.map((v) => v.aval);
  }
  get outAvals(): ShapedArray[] {
    return this.jaxpr.outs.map((v) => v.aval);
  }
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Evaluates a Jaxpr on arguments (concrete arrays or tracers) by binding each equation.
 * With `free`, concrete intermediates are released at their last use: the higher-order
 * primitives' eager loops use it so that a long loop does not wait for garbage collection.
 * (Only valid when nothing can capture an intermediate, i.e. no trace sees these values.)
 */
export function evalJaxpr(
  jaxpr: Jaxpr,
  consts: readonly JaxArray[],
  args: readonly JaxArray[],
  opts: { free?: boolean } = {},
): JaxArray[] {
  const env = new Map<Var, JaxArray>();
  const read = (a: Atom): JaxArray =>
    a instanceof Literal ? cachedScalar(a.value, a.aval.dtype, a.aval.weakType) : env.get(a)!;
  const write = (vars: readonly Var[], values: readonly JaxArray[]) => {
    for (let i = 0; i < vars.length; i++) env.set(vars[i]!, values[i]!);
  };
  write(jaxpr.constvars, consts);
  write(jaxpr.invars, args);
  const releaser = opts.free ? new IntermediateReleaser(jaxpr, env) : null;
  jaxpr.eqns.forEach((eqn, k) => {
    const outs = bind(eqn.primitive, eqn.inputs.map(read), eqn.params);
    write(eqn.outBinders, outs);
    releaser?.hold(outs);
    releaser?.release(k);
  });
  return jaxpr.outs.map(read);
}

/** Frees each equation's concrete intermediates after their last use (see evalJaxpr). */
class IntermediateReleaser {
  readonly #dying = new Map<number, Var[]>();
  // An equation may hand back one of its inputs (a jit returning its argument), so values are
  // reference counted over the variables holding them.
  readonly #holders = new Map<JaxArray, number>();
  constructor(
    jaxpr: Jaxpr,
    private readonly env: Map<Var, JaxArray>,
  ) {
    const lastUse = new Map<Var, number>();
    jaxpr.eqns.forEach((e, k) => {
      for (const v of e.outBinders) lastUse.set(v, k);
    });
    jaxpr.eqns.forEach((e, k) => {
      for (const a of e.inputs) if (a instanceof Var && lastUse.has(a)) lastUse.set(a, k);
    });
    for (const a of jaxpr.outs) if (a instanceof Var) lastUse.delete(a);
    for (const [v, k] of lastUse) this.#dying.set(k, [...(this.#dying.get(k) ?? []), v]);
    this.hold([...env.values()]);
  }
  hold(values: readonly JaxArray[]): void {
    for (const x of values) this.#holders.set(x, (this.#holders.get(x) ?? 0) + 1);
  }
  release(k: number): void {
    for (const v of this.#dying.get(k) ?? []) {
      const x = this.env.get(v)!;
      this.env.delete(v);
      const n = this.#holders.get(x)! - 1;
      this.#holders.set(x, n);
      if (n === 0 && x instanceof EagerArray && !x.isShared) x.dispose();
    }
  }
}

// --- printing, in JAX's format -------------------------------------------------------------

/** a, b, ..., z, ba, bb, ...: JAX's variable names (base 26 over letters). */
function varName(n: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

/** Python's repr of a scalar literal: 2.0, 0.5, 1e-05, inf, True. */
export function pyRepr(v: number | boolean, isFloat: boolean): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (!isFloat) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const s = String(v);
  // JS writes 1e-7 where Python writes 1e-07.
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

function tuple(xs: readonly unknown[]): string {
  const items = xs.map(pyValue);
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

const MODES: Record<string, string> = {
  clip: "GatherScatterMode.CLIP",
  fill: "GatherScatterMode.FILL_OR_DROP",
  promise_in_bounds: "GatherScatterMode.PROMISE_IN_BOUNDS",
};

function pyValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if (typeof v === "function") return `<function ${v.name || "<lambda>"}>`;
  if (Array.isArray(v)) return tuple(v);
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    return `(${entries.map(([k, x]) => `${k}=${pyValue(x)}`).join(", ")})`;
  }
  return String(v);
}

/** Params as JAX prints them, sorted by name. */
function printParam(name: string, v: unknown): string {
  if (name === "dimension_numbers" && Array.isArray(v)) {
    // dot_general: (([1], [0]), ([], []))
    const [[lc, rc], [lb, rb]] = v as number[][][];
    const list = (xs: number[]) => `[${xs!.join(", ")}]`;
    return `((${list(lc!)}, ${list(rc!)}), (${list(lb!)}, ${list(rb!)}))`;
  }
  if (name === "dimension_numbers" && v && typeof v === "object") {
    const kind = "offset_dims" in v ? "GatherDimensionNumbers" : "ScatterDimensionNumbers";
    return `${kind}${pyValue(v)}`;
  }
  if (name === "mode" && typeof v === "string") return MODES[v] ?? v;
  return pyValue(v);
}

/** Variable names shared by a jaxpr and the jaxprs nested in its params, as JAX numbers them. */
class NameContext {
  readonly names = new Map<Var, string>();
  name(v: Var): string {
    let n = this.names.get(v);
    if (n === undefined) {
      n = varName(this.names.size);
      this.names.set(v, n);
    }
    return n;
  }
}

function isJaxprValue(v: unknown): v is Jaxpr | ClosedJaxpr {
  return v instanceof Jaxpr || v instanceof ClosedJaxpr;
}

/** Binders (or atoms) separated by breaks that only break when a line overflows. */
function ppVars(docs: Doc[], separator = ""): Doc {
  return nest(2, group(join(concat(text(separator), group(brk())), docs)));
}

function ppParam(key: string, v: unknown, ctx: NameContext): Doc {
  let value: Doc;
  if (Array.isArray(v) && v.length > 0 && v.every(isJaxprValue)) {
    const jaxprs = v.map((j) => ppJaxpr(j instanceof ClosedJaxpr ? j.jaxpr : j, ctx));
    value = group(
      concat(nest(2, concat(text("("), brk(""), join(brk(), jaxprs))), brk(""), text(")")),
    );
  } else if (isJaxprValue(v)) value = ppJaxpr(v instanceof ClosedJaxpr ? v.jaxpr : v, ctx);
  else value = text(printParam(key, v));
  return concat(text(`${key}=`), value);
}

function ppEqn(e: JaxprEqn, ctx: NameContext, used: Set<Var>): Doc {
  const binder = (v: Var) =>
    text(used.has(v) ? `${ctx.name(v)}:${v.aval.strShort()}` : `_:${v.aval.strShort()}`);
  const lhs = ppVars(e.outBinders.map(binder));
  const keys = Object.keys(e.params).sort();
  const params = keys.length
    ? group(
        concat(
          nest(
            2,
            concat(
              text("["),
              brk(""),
              join(
                brk(),
                keys.map((k) => ppParam(k, (e.params as Record<string, unknown>)[k], ctx)),
              ),
            ),
          ),
          brk(""),
          text("]"),
        ),
      )
    : nil;
  const rhs = concat(text(" "), ppVars(e.inputs.map((a) => text(atomText(a, ctx)))));
  return concat(lhs, text(" = "), text(e.primitive.name), params, rhs);
}

function atomText(a: Atom, ctx: NameContext): string {
  return a instanceof Literal ? pyRepr(a.value, a.aval.dtype === "float32") : ctx.name(a);
}

function ppJaxpr(jaxpr: Jaxpr, ctx: NameContext): Doc {
  const used = new Set<Var>();
  for (const e of jaxpr.eqns) for (const a of e.inputs) if (a instanceof Var) used.add(a);
  for (const a of jaxpr.outs) if (a instanceof Var) used.add(a);
  const binder = (v: Var) => text(`${ctx.name(v)}:${v.aval.strShort()}`);
  const constvars = ppVars(jaxpr.constvars.map(binder));
  const invars = ppVars(jaxpr.invars.map(binder));
  const eqns = join(
    brk("; "),
    jaxpr.eqns.map((e) => ppEqn(e, ctx, used)),
  );
  const outs = jaxpr.outs.map((a) => text(atomText(a, ctx)));
  const outvars = concat(text("("), ppVars(outs, ","), text(outs.length === 1 ? ",)" : ")"));
  return group(
    concat(
      nest(
        2,
        concat(
          text("{ lambda "),
          constvars,
          text("; "),
          invars,
          text(". let"),
          nest(2, concat(brk(), eqns)),
          brk(),
          text("in "),
          outvars,
        ),
      ),
      text(" }"),
    ),
  );
}

/** A jaxpr in JAX's text format, laid out in 80 columns as JAX lays it out. */
export function printJaxpr(jaxpr: Jaxpr): string {
  return format(ppJaxpr(jaxpr, new NameContext()));
}
