/**
 * jax.infer summary, printSummary, toArvizJson and toCsv. Reference numbers come from
 * test/fixtures/diagnostics.json (scripts/fixtures/gen_diagnostics.py).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import * as jax from "../../src/index.js";
import { backendMatrix } from "../helpers/backends.js";
import { expectClose } from "../helpers/compare.js";

const { infer, numpy: jnp } = jax;
const matrix = await backendMatrix();

interface Stats {
  mean: number;
  sd: number;
  median: number;
  "hpdi_0.9": [number, number];
  "eti_0.9": [number, number];
  mcse: { mean: number; sd: number };
  ess: { bulk: number; tail: number };
  rhat: { rank: number };
}
interface Case {
  name: string;
  x: number[][] | number[][][];
  stats: Stats[];
}
const cases = (
  JSON.parse(readFileSync(new URL("../fixtures/diagnostics.json", import.meta.url), "utf8")) as {
    cases: Case[];
  }
).cases;
const byName = (name: string) => cases.find((c) => c.name === name)!;
const mu = byName("ar1_strong");
const theta = byName("shifted_means");
const vec = byName("vector_param");
const RTOL = 1e-9;

function expectRow(row: jax.infer.SummaryRow, s: Stats, interval: "hdi" | "eti" = "hdi"): void {
  const [lower, upper] = interval === "hdi" ? s["hpdi_0.9"] : s["eti_0.9"];
  const got = [row.mean, row.sd, row.median, row.lower, row.upper, row.mcseMean, row.mcseSd];
  const want = [s.mean, s.sd, s.median, lower, upper, s.mcse.mean, s.mcse.sd];
  expectClose(got, want, RTOL, 0, `${row.name} stats`);
  expectClose(
    [row.essBulk, row.essTail, row.rHat],
    [s.ess.bulk, s.ess.tail, s.rhat.rank],
    RTOL,
    0,
    `${row.name} diagnostics`,
  );
}

describe("summary", () => {
  it("one row per scalar component, named numpyro-style, matching the reference values", () => {
    const table = infer.summary({ mu: mu.x, theta: vec.x });
    expect(table.prob).toBe(0.9);
    expect(table.interval).toBe("hdi");
    expect(table.intervalLabels).toEqual(["hdi_5%", "hdi_95%"]);
    expect(table.rows.map((r) => r.name)).toEqual(["mu", "theta[0]", "theta[1]", "theta[2]"]);
    expectRow(table.rows[0]!, mu.stats[0]!);
    vec.stats.forEach((s, k) => {
      expectRow(table.rows[k + 1]!, s);
    });
  });

  it("equal-tailed intervals, other probabilities, positional prob", () => {
    const eti = infer.summary({ theta: theta.x }, { interval: "eti" });
    expect(eti.intervalLabels).toEqual(["eti_5%", "eti_95%"]);
    expectRow(eti.rows[0]!, theta.stats[0]!, "eti");
    expect(infer.summary({ theta: theta.x }, 0.94).intervalLabels).toEqual(["hdi_3%", "hdi_97%"]);
    expect(infer.summary({ theta: theta.x }, 0.5).rows[0]!.lower).toBe(
      (infer.hpdi(theta.x.flat() as number[], 0.5) as number[])[0],
    );
    // shifted chain means: the rank-normalized R-hat flags it
    expect(eti.rows[0]!.rHat).toBeGreaterThan(1.1);
  });

  it("groupByChain false treats arrays as [draws, ...] of one chain", () => {
    const draws = (mu.x as number[][])[0]!;
    const one = infer.summary({ mu: [draws] });
    const flat = infer.summary({ mu: draws }, { groupByChain: false });
    expect(flat.rows).toEqual(one.rows);
    expect(infer.summary({ mu: draws }, 0.9, false).rows).toEqual(one.rows);
  });

  it("names: nested objects join keys with '.', non-objects use Param:i, matrices index [i,j]", () => {
    const x = mu.x as number[][];
    const matrix2x2 = x.map((chain) =>
      chain.map((v) => [
        [v, -v],
        [2 * v, v + 1],
      ]),
    );
    const t = infer.summary({ loc: { a: x, b: matrix2x2 } });
    expect(t.rows.map((r) => r.name)).toEqual([
      "loc.a",
      "loc.b[0,0]",
      "loc.b[0,1]",
      "loc.b[1,0]",
      "loc.b[1,1]",
    ]);
    expect(t.rows[2]!.mean).toBeCloseTo(-t.rows[1]!.mean, 12);
    // A JS array of jax Arrays is a container; a nested array of numbers is always one array.
    const arrays = [jnp.array(x), jnp.array(x)];
    expect(infer.summary(arrays).rows.map((r) => r.name)).toEqual(["Param:0", "Param:1"]);
    expect(infer.summary(x).rows.map((r) => r.name)).toEqual(["Param:0"]);
  });

  it("bad input raises errors naming the function and the parameter", () => {
    expect(() => infer.summary({ mu: [1, 2, 3, 4, 5] })).toThrow(
      "summary: mu must have shape [chains, draws, ...] (ArviZ's layout), got shape (5,)",
    );
    expect(() => infer.summary({ mu: mu.x }, { prob: 1.5 })).toThrow(
      "summary: prob must be in (0, 1), got 1.5",
    );
    expect(() => infer.summary({ mu: mu.x }, { interval: "hpd" as "hdi" })).toThrow(
      'summary: interval must be "hdi" or "eti", got hpd',
    );
    expect(() => infer.summary({ mu: mu.x }, { probability: 0.9 } as never)).toThrow(
      "summary() got an unexpected keyword argument 'probability'",
    );
    expect(() => infer.summary({})).toThrow("summary: samples holds no arrays");
  });
});

describe("printSummary", () => {
  it("prints ArviZ's columns in numpyro's layout and the number of divergences", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const diverging = (mu.x as number[][]).map((chain) => chain.map((_, d) => d % 100 === 0));
    const table = infer.printSummary({ mu: mu.x, theta: vec.x }, { divergences: diverging });
    expect(log).toHaveBeenCalledTimes(1);
    const text = String(log.mock.calls[0]![0]);
    log.mockRestore();
    const lines = text.split("\n");
    expect(lines[1]!.trim().split(/ +/)).toEqual([
      "mean",
      "sd",
      "hdi_5%",
      "hdi_95%",
      "mcse_mean",
      "mcse_sd",
      "ess_bulk",
      "ess_tail",
      "r_hat",
    ]);
    const r = table.rows[0]!;
    const expected = [r.mean, r.sd, r.lower, r.upper, r.mcseMean, r.mcseSd].map((v) =>
      v.toFixed(2),
    );
    expected.push(r.essBulk.toFixed(0), r.essTail.toFixed(0), r.rHat.toFixed(2));
    expect(lines[2]!.trim().split(/ +/)).toEqual(["mu", ...expected]);
    expect(lines[3]!.trim().split(/ +/)[0]).toBe("theta[0]");
    expect(lines.at(-1)).toBe("Number of divergences: 40");
    // every data line has the header's width
    expect(new Set(lines.slice(1, 6).map((l) => l.length)).size).toBe(1);
  });

  it("formatSummary takes a count of divergences and prints nan for undefined statistics", () => {
    const constant = [
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ];
    const text = infer.formatSummary(infer.summary({ c: constant }), { divergences: 3 });
    expect(text).toContain("nan");
    expect(text.endsWith("Number of divergences: 3")).toBe(true);
    expect(infer.formatSummary(infer.summary({ c: constant }))).not.toContain("divergences");
  });
});

describe("toArvizJson and toCsv", () => {
  const x = [
    [0.5, 1.5, 2.5],
    [-1, 0, 1],
  ];
  const v = [
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    [
      [7, 8],
      [9, 10],
      [11, 12],
    ],
  ];
  const extraFields = {
    diverging: [
      [false, true, false],
      [false, false, false],
    ],
    acceptProb: [
      [0.9, 0.8, 0.7],
      [0.6, 0.5, 0.4],
    ],
    potentialEnergy: [
      [1, 2, 3],
      [4, 5, 6],
    ],
    treeDepth: [
      [1, 2, 3],
      [3, 2, 1],
    ],
    myStat: [
      [0, 0, 0],
      [1, 1, 1],
    ],
  };

  it("toArvizJson: posterior and sample_stats groups in (chain, draw, *shape) with ArviZ's names", () => {
    const out = infer.toArvizJson({ x, v }, { extraFields });
    expect(out.posterior).toEqual({ x, v });
    expect(out.sample_stats).toEqual({
      diverging: extraFields.diverging,
      acceptance_rate: extraFields.acceptProb,
      lp: [
        [-1, -2, -3],
        [-4, -5, -6],
      ],
      tree_depth: extraFields.treeDepth,
      my_stat: extraFields.myStat,
    });
    expect(out.attrs.inference_library).toBe("tfjax");
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    const single = infer.toArvizJson({ x: x[0]! }, { groupByChain: false });
    expect(single.posterior.x).toEqual([x[0]]);
  });

  it("toCsv: one row per draw, chain and draw columns, components quoted as RFC 4180 needs", () => {
    const csv = infer.toCsv({ x, v }, { extraFields: { diverging: extraFields.diverging } });
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("chain,draw,x,v[0],v[1],diverging");
    expect(lines).toHaveLength(7);
    expect(lines[1]).toBe("0,0,0.5,1,2,0");
    expect(lines[2]).toBe("0,1,1.5,3,4,1");
    expect(lines[6]).toBe("1,2,1,11,12,0");
    const m = [
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ];
    expect(
      infer
        .toCsv({
          m: [
            [
              [
                [1, 2],
                [3, 4],
              ],
            ],
            [
              [
                [5, 6],
                [7, 8],
              ],
            ],
          ],
        })
        .split("\n")[0],
    ).toBe('chain,draw,"m[0,0]","m[0,1]","m[1,0]","m[1,1]"');
    expect(infer.toCsv({ m }, { groupByChain: false }).split("\n")[1]).toBe("0,0,1,2,3,4");
  });

  it("mismatched (chains, draws) and bad layouts raise errors naming both arrays", () => {
    expect(() =>
      infer.toCsv({
        x,
        y: [
          [1, 2],
          [3, 4],
        ],
      }),
    ).toThrow("toCsv: every array needs the same (chains, draws): 'x' has (2, 3), 'y' has (2, 2)");
    expect(() => infer.toArvizJson({ x }, { extraFields: { diverging: [true, false] } })).toThrow(
      "toArvizJson: extra field 'diverging' must have shape [chains, draws, ...]",
    );
  });
});

describe("summary and export read jax Arrays from every backend", () => {
  const x32 = (vec.x as number[][][]).map((chain) => chain.map((draw) => draw.map(Math.fround)));
  const expected = infer.summary({ theta: x32 });
  for (const { platform, available } of matrix) {
    it.skipIf(!available)(`${platform}`, async () => {
      const device = jax.devices(platform)[0]!;
      let theta = jax.devicePut(jnp.array(vec.x), device).mul(1);
      let flags = jax.devicePut(jnp.array([[true, false, true]]), device);
      try {
        infer.summary({ theta });
      } catch (e) {
        // WebGPU in Node may only read asynchronously: the error names the call and the fix.
        expect(platform).toBe("webgpu");
        expect(String(e)).toContain("summary: theta: cannot read an array on webgpu:0");
        await Promise.all([theta.blockUntilReady(), flags.blockUntilReady()]);
        [theta, flags] = [jax.devicePut(theta, "cpu"), jax.devicePut(flags, "cpu")];
      }
      expect(infer.summary({ theta }).rows).toEqual(expected.rows);
      expect(infer.toArvizJson({ theta }).posterior.theta).toEqual(x32);
      const csv = infer.toArvizJson(
        { f: jnp.array([[1, 2, 3]]) },
        { extraFields: { diverging: flags } },
      );
      expect(csv.sample_stats.diverging).toEqual([[true, false, true]]);
      expect(infer.toArvizJson({ i: jnp.array([[1, 2, 3]], "int32") }).posterior.i).toEqual([
        [1, 2, 3],
      ]);
    });
  }
});
