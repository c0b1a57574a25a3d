/**
 * The runnable examples, as smoke tests at small sizes (EXAMPLE_SMALL=1): they must run to the
 * end on the default backend and print what their README lines promise.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
function runExample(path: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", path], {
    cwd: root,
    env: { ...process.env, EXAMPLE_SMALL: "1", TFJAX_BACKEND: "cpu" },
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("examples", () => {
  it("eight schools with NUTS prints the summary table", () => {
    const out = runExample("examples/infer/eight_schools.ts");
    expect(out).toMatch(
      /mean\s+sd\s+hdi_5%\s+hdi_95%\s+mcse_mean\s+mcse_sd\s+ess_bulk\s+ess_tail\s+r_hat/,
    );
    for (const name of ["mu", "tau", "theta[0]", "theta[7]"]) expect(out).toContain(name);
    expect(out).toMatch(/Number of divergences: \d+/);
    expect(out).toMatch(/NUTS, 4 chains sequential/);
  });
  it("many-chain random-walk Metropolis on the Gaussian mixture", () => {
    const out = runExample("examples/infer/rmh_mixture.ts");
    expect(out).toMatch(/pooled over \d+ chains: mean [\d.-]+ \(exact 0\.920\)/);
    expect(out).toMatch(/chains vectorized: .* M chain-steps\/s/);
  });
});
