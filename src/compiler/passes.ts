/**
 * The compiler's passes: each a pure function from a Jaxpr to an equivalent one. `optimize`
 * runs them in order: inline nested calls, fold constants, simplify algebra, merge common
 * subexpressions, drop dead code.
 */
import { EagerArray, type JaxArray } from "../core/array.js";
import { cachedScalar, constantValue } from "../core/constants.js";
import { type Atom, ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, Var } from "../core/jaxpr.js";
import { bind, type Params } from "../core/primitive.js";
import { shapesEqual } from "../core/shape.js";

/** Calls whose body runs as is when executed: jit, and functions with custom derivatives. */
const INLINED = new Set(["pjit", "custom_jvp_call", "custom_vjp_call"]);
/** Primitives whose params hold Jaxprs: the passes recurse into them. */
const HIGHER_ORDER = new Set(["cond", "while", "scan"]);

/** Substitutes atoms for variables while a pass rewrites equations. */
class Renamer {
  readonly #map = new Map<Var, Atom>();
  set(v: Var, a: Atom): void {
    this.#map.set(v, a);
  }
  atom = (a: Atom): Atom => (a instanceof Var ? (this.#map.get(a) ?? a) : a);
}

/** The ClosedJaxprs held in an equation's params, with a way to put rewritten ones back. */
function mapInnerJaxprs(eqn: JaxprEqn, f: (c: ClosedJaxpr) => ClosedJaxpr): JaxprEqn {
  if (!HIGHER_ORDER.has(eqn.primitive.name)) return eqn;
  const params: Record<string, unknown> = { ...eqn.params };
  for (const [k, v] of Object.entries(params)) {
    if (v instanceof ClosedJaxpr) params[k] = f(v);
    else if (Array.isArray(v) && v.every((x) => x instanceof ClosedJaxpr)) params[k] = v.map(f);
  }
  return { ...eqn, params };
}

/** Applies a Jaxpr -> Jaxpr pass to a closed jaxpr and every jaxpr nested in it. */
function everywhere(pass: (c: ClosedJaxpr) => ClosedJaxpr): (c: ClosedJaxpr) => ClosedJaxpr {
  const recurse = (closed: ClosedJaxpr): ClosedJaxpr => {
    const { jaxpr } = closed;
    const eqns = jaxpr.eqns.map((e) => mapInnerJaxprs(e, recurse));
    return pass(
      new ClosedJaxpr(new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outs), closed.consts),
    );
  };
  return recurse;
}

/** Replaces pjit and custom-derivative calls by their bodies (their consts become ours). */
export function inlineCalls(closed: ClosedJaxpr): ClosedJaxpr {
  const constvars = [...closed.jaxpr.constvars];
  const consts = [...closed.consts];
  const eqns: JaxprEqn[] = [];
  const rename = new Renamer();
  const visit = (eqn: JaxprEqn) => {
    const inputs = eqn.inputs.map(rename.atom);
    if (!INLINED.has(eqn.primitive.name)) {
      eqns.push(mapInnerJaxprs({ ...eqn, inputs }, inlineCalls));
      return;
    }
    const key = eqn.primitive.name === "pjit" ? "jaxpr" : "call_jaxpr";
    const body = inlineCalls((eqn.params as Record<string, ClosedJaxpr>)[key]!);
    // The body's variables are bound once per inlining, so a body used twice stays correct.
    const inner = new Renamer();
    body.jaxpr.constvars.forEach((v, i) => {
      const fresh = new Var(v.aval);
      constvars.push(fresh);
      consts.push(body.consts[i]!);
      inner.set(v, fresh);
    });
    body.jaxpr.invars.forEach((v, i) => {
      inner.set(v, inputs[i]!);
    });
    for (const e of body.jaxpr.eqns) {
      const outBinders = e.outBinders.map((v) => new Var(v.aval));
      e.outBinders.forEach((v, i) => {
        inner.set(v, outBinders[i]!);
      });
      eqns.push({ ...e, inputs: e.inputs.map(inner.atom), outBinders });
    }
    eqn.outBinders.forEach((v, i) => {
      rename.set(v, inner.atom(body.jaxpr.outs[i]!));
    });
  };
  closed.jaxpr.eqns.forEach(visit);
  const jaxpr = new Jaxpr(constvars, closed.jaxpr.invars, eqns, closed.jaxpr.outs.map(rename.atom));
  return new ClosedJaxpr(jaxpr, consts);
}

/** Drops equations whose outputs nobody reads, and constants nobody uses. */
function dceOne(closed: ClosedJaxpr): ClosedJaxpr {
  const { jaxpr } = closed;
  const live = new Set<Var>(jaxpr.outs.filter((a): a is Var => a instanceof Var));
  const kept: JaxprEqn[] = [];
  for (let k = jaxpr.eqns.length - 1; k >= 0; k--) {
    const e = jaxpr.eqns[k]!;
    if (!e.outBinders.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  const keep = jaxpr.constvars.map((v) => live.has(v));
  return new ClosedJaxpr(
    new Jaxpr(
      jaxpr.constvars.filter((_, i) => keep[i]),
      jaxpr.invars,
      kept.reverse(),
      jaxpr.outs,
    ),
    closed.consts.filter((_, i) => keep[i]),
  );
}
export const deadCodeElimination = everywhere(dceOne);

/** A key equal for two equations that compute the same values from the same inputs. */
function eqnKey(e: JaxprEqn, ids: Map<Var, number>): string | null {
  if (HIGHER_ORDER.has(e.primitive.name) || INLINED.has(e.primitive.name)) return null;
  let params: string;
  try {
    params = JSON.stringify(e.params);
  } catch {
    return null;
  }
  const atoms = e.inputs.map((a) =>
    a instanceof Var ? `v${ids.get(a) ?? -1}` : `${a.value}:${a.aval.strShort()}`,
  );
  return `${e.primitive.name}|${params}|${atoms.join(",")}`;
}

/** Merges equations that repeat an earlier one (same primitive, params and inputs). */
function cseOne(closed: ClosedJaxpr): ClosedJaxpr {
  const { jaxpr } = closed;
  const ids = new Map<Var, number>();
  const id = (v: Var) => {
    if (!ids.has(v)) ids.set(v, ids.size);
  };
  [...jaxpr.constvars, ...jaxpr.invars].forEach(id);
  const seen = new Map<string, Var[]>();
  const rename = new Renamer();
  const eqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    const eqn = { ...e, inputs: e.inputs.map(rename.atom) };
    const key = eqnKey(eqn, ids);
    const earlier = key === null ? undefined : seen.get(key);
    if (earlier?.every((v, i) => v.aval.equals(eqn.outBinders[i]!.aval))) {
      eqn.outBinders.forEach((v, i) => {
        rename.set(v, earlier[i]!);
      });
      continue;
    }
    eqn.outBinders.forEach(id);
    if (key !== null) seen.set(key, eqn.outBinders);
    eqns.push(eqn);
  }
  return new ClosedJaxpr(
    new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outs.map(rename.atom)),
    closed.consts,
  );
}
export const commonSubexpressionElimination = everywhere(cseOne);

/** Never folded: random bits (kept traceable), and arrays cheaper to compute than to store. */
const UNFOLDED = new Set(["threefry2x32", "iota", "broadcast_in_dim"]);
/** Largest array a folded constant may have: folding must not bloat the program. */
const FOLD_LIMIT = 4096;

/**
 * Evaluates equations whose inputs are all literals or constants, at compile time. Scalar
 * results become literals, others new constants.
 */
function foldOne(closed: ClosedJaxpr): ClosedJaxpr {
  const { jaxpr } = closed;
  const known = new Map<Var, JaxArray>();
  jaxpr.constvars.forEach((v, i) => {
    const c = closed.consts[i]!;
    if (c instanceof EagerArray) known.set(v, c);
  });
  const constvars = [...jaxpr.constvars];
  const consts = [...closed.consts];
  const rename = new Renamer();
  const eqns: JaxprEqn[] = [];
  const valueOf = (a: Atom) =>
    a instanceof Literal ? cachedScalar(a.value, a.aval.dtype, a.aval.weakType) : known.get(a);
  for (const e of jaxpr.eqns) {
    const eqn = { ...e, inputs: e.inputs.map(rename.atom) };
    const values = eqn.inputs.map(valueOf);
    const foldable =
      !HIGHER_ORDER.has(eqn.primitive.name) &&
      !UNFOLDED.has(eqn.primitive.name) &&
      values.every((v) => v !== undefined) &&
      eqn.outBinders.every((v) => v.aval.size <= FOLD_LIMIT);
    if (!foldable) {
      eqns.push(eqn);
      continue;
    }
    const outs = bind(eqn.primitive, values as JaxArray[], eqn.params);
    eqn.outBinders.forEach((v, i) => {
      const value = outs[i]!;
      const scalar = v.aval.size === 1 && v.aval.ndim === 0 ? scalarOf(value) : undefined;
      if (scalar !== undefined) {
        rename.set(v, new Literal(scalar, v.aval));
        return;
      }
      const fresh = new Var(v.aval);
      constvars.push(fresh);
      consts.push(value);
      known.set(fresh, value);
      rename.set(v, fresh);
    });
  }
  return dceOne(
    new ClosedJaxpr(new Jaxpr(constvars, jaxpr.invars, eqns, jaxpr.outs.map(rename.atom)), consts),
  );
}
export const constantFolding = everywhere(foldOne);

/** A scalar array's value as a literal holds it (uint32 words read back unsigned). */
function scalarOf(x: JaxArray): number | boolean | undefined {
  const cached = constantValue(x);
  if (cached !== undefined) return cached;
  // Reading a device's array back synchronously is only cheap (and possible) on the cpu.
  if (!(x instanceof EagerArray) || x.device.platform !== "cpu") return;
  return x.item();
}

const isLiteral = (a: Atom, value: number) => a instanceof Literal && a.value === value;
const sameAval = (a: Atom, b: Var) =>
  a.aval.dtype === b.aval.dtype && shapesEqual(a.aval.shape, b.aval.shape);

/** x * 1, x + 0, x - 0, x / 1, identity reshapes/broadcasts/converts/transposes: just x. */
function identityOperand(e: JaxprEqn): Atom | undefined {
  const [a, b] = e.inputs;
  const out = e.outBinders[0]!;
  const p = e.params as Params & Record<string, unknown>;
  const candidates: (Atom | undefined)[] = [];
  switch (e.primitive.name) {
    case "mul":
      candidates.push(isLiteral(b!, 1) ? a : undefined, isLiteral(a!, 1) ? b : undefined);
      break;
    case "add":
      candidates.push(isLiteral(b!, 0) ? a : undefined, isLiteral(a!, 0) ? b : undefined);
      break;
    case "sub":
      candidates.push(isLiteral(b!, 0) ? a : undefined);
      break;
    case "div":
      candidates.push(isLiteral(b!, 1) ? a : undefined);
      break;
    case "convert_element_type":
    case "reshape":
    case "broadcast_in_dim":
    case "copy":
    case "squeeze":
      candidates.push(a);
      break;
    case "transpose":
      if ((p.permutation as number[]).every((q, i) => q === i)) candidates.push(a);
      break;
  }
  return candidates.find((c) => c !== undefined && sameAval(c, out));
}

/** Algebraic simplification: identities vanish, neg(neg x) is x. */
function simplifyOne(closed: ClosedJaxpr): ClosedJaxpr {
  const { jaxpr } = closed;
  const rename = new Renamer();
  const negated = new Map<Var, Atom>();
  const eqns: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    const eqn = { ...e, inputs: e.inputs.map(rename.atom) };
    const out = eqn.outBinders[0]!;
    const same = eqn.outBinders.length === 1 ? identityOperand(eqn) : undefined;
    const input = eqn.inputs[0];
    const doubleNeg =
      eqn.primitive.name === "neg" && input instanceof Var ? negated.get(input) : undefined;
    if (same ?? doubleNeg) {
      rename.set(out, (same ?? doubleNeg)!);
      continue;
    }
    if (eqn.primitive.name === "neg" && input) negated.set(out, input);
    eqns.push(eqn);
  }
  return new ClosedJaxpr(
    new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outs.map(rename.atom)),
    closed.consts,
  );
}
export const simplify = everywhere(simplifyOne);

/** All passes, in order. */
export function optimize(closed: ClosedJaxpr): ClosedJaxpr {
  return deadCodeElimination(
    commonSubexpressionElimination(simplify(constantFolding(inlineCalls(closed)))),
  );
}
