/** The scalar functions that generated cpu code inlines, against the JS Math functions they replace. */
import { describe, expect, it } from "vitest";
import { exp } from "../../src/compiler/scalar_math.js";

describe("scalar_math.exp", () => {
  it("rounds to Math.exp's float32 result over a sweep of float32 inputs", () => {
    const f32 = new Float32Array(1);
    const bits = new Uint32Array(f32.buffer);
    let checked = 0;
    const mismatches: number[] = [];
    // Every 4093rd bit pattern whose value lies where exp is neither 0 nor overflows in float32.
    for (let b = 0; b < 2 ** 32; b += 4093) {
      bits[0] = b;
      const x = f32[0]!;
      if (!(x > -110 && x < 95)) continue;
      checked++;
      if (Math.fround(exp(x)) !== Math.fround(Math.exp(x))) mismatches.push(x);
    }
    expect(checked).toBeGreaterThan(500_000);
    expect(mismatches).toEqual([]);
  });

  it("keeps the edge cases of Math.exp", () => {
    for (const x of [
      0, -0, 1, -1, 88.72, 88.73, 89, -87.3, -103.97, -104, 1e-30, -1e-30, 1e30, -1e30,
    ])
      expect(Math.fround(exp(x))).toBe(Math.fround(Math.exp(x)));
    expect(exp(Number.NaN)).toBeNaN();
    expect(exp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(exp(Number.NEGATIVE_INFINITY)).toBe(0);
  });
});
