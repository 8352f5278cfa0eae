// No NaN or Inf is ever ranked or shown as a result: a non-finite value in any component means the
// model (or its input) is broken, and the attribution stops with a message that says where.

/** Indices of non-finite values, as "0, 3, 7 and 12 more". */
function badPositions(values: ArrayLike<number>): string | null {
  const bad: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad.push(i);
  if (bad.length === 0) return null;
  return `${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`;
}

/** A message naming each component with non-finite entries and their indices (token positions for M, S, I, scores), or null when all are finite. */
export function nonFiniteProblem(components: Record<string, ArrayLike<number>>): string | null {
  const found = Object.entries(components).flatMap(([name, values]) => {
    const at = badPositions(values);
    return at === null ? [] : [`${name}[${at}]`];
  });
  if (found.length === 0) return null;
  return (
    `the model produced non-finite values (NaN or Inf): ${found.join('; ')}. ` +
    'No scores are ranked from them; check the model (recompile it with heta convert, which refuses NaN/Inf weights) and the input'
  );
}
