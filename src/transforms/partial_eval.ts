/**
 * Partial evaluation (autodidax, part 3): values are known (computed now) or unknown (staged
 * into a Jaxpr). Linearizing f = jvp(f) with known primals and unknown tangents leaves the
 * primal computation done and the tangent computation as a linear Jaxpr over residuals.
 */
import type { JaxArray } from "../core/array.js";
import type { ShapedArray } from "../core/aval.js";
import { ClosedJaxpr, Jaxpr, type JaxprEqn, Var } from "../core/jaxpr.js";
import { abstractEval, bind, type Params, type Primitive } from "../core/primitive.js";
import { type MainTrace, Trace, Tracer, withNewMain } from "../core/trace.js";

type Recipe =
  | { kind: "input" }
  | { kind: "const"; value: JaxArray }
  | {
      kind: "eqn";
      prim: Primitive;
      inputs: PETracer[];
      params: Params;
      outs: PETracer[];
    };

export class PETracer extends Tracer {
  constructor(
    trace: Trace,
    readonly known: JaxArray | null,
    readonly aval: ShapedArray,
    public recipe: Recipe | null,
  ) {
    super(trace);
  }
  override fullLower(): JaxArray {
    return this.known ?? this;
  }
}

/**
 * Partial evaluation of a higher-order primitive (cond, while, scan, jit): splits its inner
 * Jaxprs so that what depends only on known inputs is computed now and only the rest is staged.
 * Without a rule, an equation with any unknown input is staged whole.
 */
export type PartialEvalRule<P> = (
  trace: PartialEvalTrace,
  tracers: PETracer[],
  params: P,
) => JaxArray[];
const partialEvalRules = new Map<Primitive, PartialEvalRule<never>>();
export function defPartialEval<P extends Params>(
  prim: Primitive<P>,
  rule: PartialEvalRule<P>,
): void {
  partialEvalRules.set(prim, rule as PartialEvalRule<never>);
}

export class PartialEvalTrace extends Trace {
  pure(x: JaxArray): Tracer {
    return new PETracer(this, x, x.aval, null);
  }
  lift(x: JaxArray): Tracer {
    return this.pure(x);
  }
  newUnknownInput(aval: ShapedArray): PETracer {
    return new PETracer(this, null, aval, { kind: "input" });
  }
  /** A known value used by an unknown computation becomes a constant (a residual). */
  instantiate(t: PETracer): PETracer {
    if (t.known === null) return t;
    return new PETracer(this, null, t.aval, { kind: "const", value: t.known });
  }
  processPrimitive<P extends Params>(prim: Primitive<P>, tracers: Tracer[], params: P): JaxArray[] {
    const ts = tracers as PETracer[];
    if (ts.every((t) => t.known !== null))
      return bind(
        prim,
        ts.map((t) => t.known!),
        params,
      );
    const rule = partialEvalRules.get(prim) as PartialEvalRule<P> | undefined;
    return rule ? rule(this, ts, params) : this.stage(prim, ts, params);
  }
  /** Stages one equation whose inputs are (made) unknown; its outputs are unknown. */
  stage<P extends Params>(prim: Primitive<P>, ts: PETracer[], params: P): PETracer[] {
    const inputs = ts.map((t) => this.instantiate(t));
    const avals = abstractEval(
      prim,
      inputs.map((t) => t.aval),
      params,
    );
    const outs = avals.map((a) => new PETracer(this, null, a, null));
    const recipe: Recipe = { kind: "eqn", prim: prim as Primitive, inputs, params, outs };
    for (const o of outs) o.recipe = recipe;
    return outs;
  }
}

/** Builds the Jaxpr of the unknown computation from inputs to outputs (constants become constvars). */
function tracersToJaxpr(inputs: PETracer[], outputs: PETracer[]): ClosedJaxpr {
  const vars = new Map<PETracer, Var>();
  const varOf = (t: PETracer) => {
    let v = vars.get(t);
    if (!v) {
      v = new Var(t.aval);
      vars.set(t, v);
    }
    return v;
  };
  const constvars: Var[] = [];
  const consts: JaxArray[] = [];
  const eqns: JaxprEqn[] = [];
  const seen = new Set<Recipe>();
  const visit = (t: PETracer): void => {
    const r = t.recipe!;
    if (seen.has(r)) return;
    seen.add(r);
    if (r.kind === "const") {
      constvars.push(varOf(t));
      consts.push(r.value);
    } else if (r.kind === "eqn") {
      for (const i of r.inputs) visit(i);
      eqns.push({
        primitive: r.prim,
        inputs: r.inputs.map(varOf),
        params: r.params,
        outBinders: (r.outs as PETracer[]).map(varOf),
      });
    }
  };
  for (const o of outputs) visit(o);
  return new ClosedJaxpr(new Jaxpr(constvars, inputs.map(varOf), eqns, outputs.map(varOf)), consts);
}

/**
 * Runs f with `known` arguments concrete and `unknownAvals` staged: returns f's outputs that
 * are known, and a Jaxpr computing the unknown ones from the unknown inputs.
 */
export function partialEval(
  f: (known: JaxArray[], unknown: JaxArray[]) => JaxArray[],
  known: JaxArray[],
  unknownAvals: ShapedArray[],
): { knownOuts: (JaxArray | null)[]; jaxpr: ClosedJaxpr; unknownOutIndices: number[] } {
  return withNewMain(
    (main: MainTrace) => new PartialEvalTrace(main),
    null,
    (main) => {
      const trace = main.makeTrace(main) as PartialEvalTrace;
      const unknownIns = unknownAvals.map((a) => trace.newUnknownInput(a));
      const knownIns = known.map((k) => trace.pure(k));
      const outs = f(knownIns, unknownIns).map((o) => trace.fullRaise(o) as PETracer);
      const unknownOutIndices = outs
        .map((o, i) => (o.known === null ? i : -1))
        .filter((i) => i >= 0);
      // Unknown outputs that are in fact known-constant (e.g. a zero tangent) become constants.
      const unknownOuts = outs.map((o) => (o.known === null ? o : trace.instantiate(o)));
      return {
        knownOuts: outs.map((o) => o.known),
        jaxpr: tracersToJaxpr(unknownIns, unknownOuts),
        unknownOutIndices,
      };
    },
  );
}
