/**
 * Exact floating-point sums, so that aggregates do not depend on the order records arrive in.
 *
 * Plain `+=` rounds at every step, so the same records summed in two orders give sums that differ in the last
 * bits, and three clouds that saw the same records in different orders would never hold identical documents.
 * Here a sum is kept as a Shewchuk expansion: non-overlapping doubles, smallest magnitude first, whose exact sum is
 * the exact sum of every value added. {@link canonical} rewrites it in a form unique to that exact value, so equal
 * sums are equal arrays, and {@link total} rounds it once, correctly (the algorithm of Python's `math.fsum`).
 *
 * Written by hand because the libraries we know (stdlib's Kahan-Babuska sums, Neumaier) compensate but are not
 * exact, and none exposes a mergeable, serialisable expansion — which is what a stored part needs.
 */
export type ExactSum = number[];

/** Adds `x` to the expansion in place. Amortised a few additions per call for ordinary data. */
export function addExact(partials: ExactSum, x: number): void {
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** The exact sum, rounded once to the nearest double (ties to even). */
export function total(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Correct the rounding when what is left below would have pushed a half-way case the other way.
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/**
 * The unique expansion of the same exact value: its correctly rounded total, then the rounded remainder, and so on.
 * Two expansions of equal value become equal arrays, whatever order their values were added in.
 */
export function canonical(partials: readonly number[]): ExactSum {
  const rest = [...partials];
  const terms: number[] = [];
  for (let t = total(rest); t !== 0; t = total(rest)) {
    terms.push(t);
    // An overflowed sum has no finer terms; stop rather than subtract infinities.
    if (!Number.isFinite(t)) break;
    addExact(rest, -t);
  }
  return terms.reverse();
}

/** The exact sum of two expansions, canonical. */
export function mergeExact(a: readonly number[], b: readonly number[]): ExactSum {
  const out = [...a];
  for (const x of b) addExact(out, x);
  return canonical(out);
}
