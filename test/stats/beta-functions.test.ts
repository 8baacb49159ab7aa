import { describe, expect, it } from "vitest";
import { betaQuantile, logBeta, logGamma, regularizedIncompleteBeta, StatsError } from "@/lib/stats";

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

describe("logGamma", () => {
  it("equals ln((n − 1)!) at integers (hand computation)", () => {
    let factorial = 1;
    for (let n = 1; n <= 20; n++) {
      expect(relativeError(logGamma(n), Math.log(factorial)) < 1e-14 || Math.abs(logGamma(n)) < 1e-14).toBe(true);
      factorial *= n;
    }
  });

  // mpmath 1.2.1, mp.dps = 40: loggamma(x).
  it.each([
    [0.5, 0.57236494292470008707], // = ln √π
    [1e-5, 11.512919692895825707],
    [3.7, 1.4280723266653879219],
    [100.5, 361.43554046777762156],
    [100000, 1051287.7089736568949],
  ])("lnΓ(%s) matches mpmath", (x, expected) => {
    expect(relativeError(logGamma(x), expected)).toBeLessThan(1e-14);
  });

  it("throws for x ≤ 0", () => {
    expect(() => logGamma(0)).toThrow(StatsError);
    expect(() => logGamma(-1)).toThrow(StatsError);
  });
});

describe("logBeta", () => {
  // B(2, 3) = 1!·2!/4! = 1/12 by hand; the others from mpmath 1.2.1: log(beta(a, b)).
  it.each([
    [2, 3, Math.log(1 / 12)],
    [1000, 2000, -1911.8746142144515688],
    [0.5, 1e6, -6.335390211057436965],
    [15.5, 3.25, -8.194952115967005755],
    [3, 40, -10.446973958541667103],
  ])("ln B(%s, %s)", (a, b, expected) => {
    expect(relativeError(logBeta(a, b), expected)).toBeLessThan(1e-13);
    expect(relativeError(logBeta(b, a), expected)).toBeLessThan(1e-13);
  });
});

describe("regularizedIncompleteBeta (Lentz continued fraction)", () => {
  it("equals a binomial tail for integer shapes: I_½(5, 6) = P(Bin(10, ½) ≥ 5) = 638/1024", () => {
    // 638 = C(10,5) + … + C(10,10) = 252 + 210 + 120 + 45 + 10 + 1, by hand.
    expect(regularizedIncompleteBeta(0.5, 5, 6)).toBeCloseTo(638 / 1024, 15);
  });

  it("matches closed forms: arcsine law, x^a, 1 − (1 − x)^b, symmetry at ½", () => {
    for (const x of [0.001, 0.1, 0.37, 0.5, 0.9, 0.9999]) {
      // Beta(½, ½) is the arcsine distribution: F(x) = (2/π)·asin(√x).
      expect(regularizedIncompleteBeta(x, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(Math.sqrt(x)), 14);
      expect(regularizedIncompleteBeta(x, 3.5, 1)).toBeCloseTo(Math.pow(x, 3.5), 14);
      expect(regularizedIncompleteBeta(x, 1, 7)).toBeCloseTo(1 - Math.pow(1 - x, 7), 14);
    }
    expect(regularizedIncompleteBeta(0.5, 123.4, 123.4)).toBeCloseTo(0.5, 13);
  });

  // mpmath 1.2.1, mp.dps = 40: betainc(a, b, 0, x, regularized=True).
  it.each([
    [0.3, 2.5, 3.5, 0.29675298929566639864],
    [0.45, 500, 600, 0.38169373366483991539],
    [0.001, 0.5, 40, 0.22208013236431178985],
    [0.999, 30, 0.2, 0.4638928101865501374],
    [0.9, 50, 5, 0.36144713972737784674],
  ])("I_%s(%s, %s) matches mpmath", (x, a, b, expected) => {
    expect(relativeError(regularizedIncompleteBeta(x, a, b), expected)).toBeLessThan(1e-12);
  });

  it("is 0 at x = 0, 1 at x = 1 and throws outside the domain", () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedIncompleteBeta(1.5, 2, 3)).toThrow(StatsError);
    expect(() => regularizedIncompleteBeta(0.5, 0, 3)).toThrow(StatsError);
  });
});

describe("betaQuantile", () => {
  it("inverts closed forms: 1 − 0.025^{1/10} for Beta(1, 10), sin²(πp/2) for Beta(½, ½)", () => {
    expect(betaQuantile(0.975, 1, 10)).toBeCloseTo(1 - Math.pow(0.025, 1 / 10), 14);
    for (const p of [1e-6, 0.025, 0.3, 0.5, 0.975, 0.999999]) {
      expect(betaQuantile(p, 0.5, 0.5)).toBeCloseTo(Math.sin((Math.PI * p) / 2) ** 2, 13);
    }
  });

  it("round-trips with the incomplete beta over a range of shapes", () => {
    for (const [a, b] of [
      [0.2, 0.3],
      [1, 1],
      [5, 6],
      [81, 183],
      [0.5, 400],
      [3000, 7000],
      [1, 1_000_000],
    ] as const) {
      for (const p of [1e-8, 0.005, 0.025, 0.5, 0.975, 0.995]) {
        const x = betaQuantile(p, a, b);
        expect(relativeError(regularizedIncompleteBeta(x, a, b), p)).toBeLessThan(1e-9);
      }
    }
  });

  it("returns 0 and 1 at p = 0 and p = 1 and throws on bad input", () => {
    expect(betaQuantile(0, 2, 3)).toBe(0);
    expect(betaQuantile(1, 2, 3)).toBe(1);
    expect(() => betaQuantile(-0.1, 2, 3)).toThrow(StatsError);
    expect(() => betaQuantile(0.5, -2, 3)).toThrow(StatsError);
  });
});
