// Seeded randomness for probes: a run is reproducible from its seed, and its probes can be exported.

/** mulberry32: small, fast, 32-bit state; plenty for sign probes. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rademacher probes r ∈ {±1}^d for every (round k, token i), drawn in that order: [m][p][d]. */
export function rademacherProbes(seed: number, rounds: number, tokens: number, d: number): Int8Array[][] {
  const next = seededUniform(seed);
  return Array.from({ length: rounds }, () =>
    Array.from({ length: tokens }, () => Int8Array.from({ length: d }, () => (next() < 0.5 ? -1 : 1))),
  );
}
