// Static shapes with symbolic dimensions ('batch', 'seq', ...). Symbols let the compiler check
// broadcasting and derive gradient reductions at compile time while the ONNX graph stays dynamic.

export type Dim = number | string;
export type Shape = readonly Dim[];

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Numpy-style broadcast; a symbol only matches itself or 1. */
export function broadcastShapes(a: Shape, b: Shape, op: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new ShapeError(`${op}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function product(dims: readonly number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

/**
 * Output shape of ONNX Reshape given the static target (0 copies the input dim, -1 infers).
 * The inferred dim is numeric when every other dim is numeric, else a derived symbol.
 */
export function reshapeShape(input: Shape, target: readonly number[]): Dim[] {
  const out: Dim[] = target.map((t, i) => {
    if (t === 0) {
      if (i >= input.length) throw new ShapeError(`Reshape: 0 at axis ${i} beyond input rank`);
      return input[i];
    }
    return t;
  });
  const inferAt = target.indexOf(-1);
  if (inferAt >= 0) {
    const known = out.filter((_, i) => i !== inferAt);
    const inputNumeric = input.every((d) => typeof d === 'number');
    const knownNumeric = known.every((d) => typeof d === 'number');
    if (inputNumeric && knownNumeric) {
      out[inferAt] = product(input as number[]) / product(known as number[]);
    } else {
      // Symbols that appear in both cancel; what remains must be one symbol or a number.
      const num = [...input];
      const den = [...known];
      for (let i = den.length - 1; i >= 0; i--) {
        const j = num.indexOf(den[i]);
        if (j >= 0) {
          num.splice(j, 1);
          den.splice(i, 1);
        }
      }
      const numSyms = num.filter((d) => typeof d === 'string');
      const denSyms = den.filter((d) => typeof d === 'string');
      const numConst = product(num.filter((d): d is number => typeof d === 'number'));
      const denConst = product(den.filter((d): d is number => typeof d === 'number'));
      if (denSyms.length === 0 && numSyms.length === 0) out[inferAt] = numConst / denConst;
      else if (denSyms.length === 0 && numSyms.length === 1 && numConst === denConst) out[inferAt] = numSyms[0];
      else out[inferAt] = `(${formatShape(input)}/${formatShape(known)})`;
    }
  }
  return out;
}
