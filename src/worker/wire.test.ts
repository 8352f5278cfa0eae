import { describe, expect, it } from 'vitest';
import { sampleResult } from '../testing/sampleResult';
import { packResult, unpackResult } from './wire';

describe('packed partial results', () => {
  it('round-trip exactly, with the probes not yet evaluated (null) kept as null', () => {
    const r = sampleResult();
    const p = r.components.M.length;
    const partial = {
      ...r,
      components: { ...r.components, S_probes: [r.components.S.map((v, i) => (i % 2 ? null : v)), r.components.S.map(() => null)] },
      sensitivity: { ...r.sensitivity!, probesPerToken: r.components.S.map((_, i) => (i % 2 ? 0 : 1)) },
    };
    const { packed } = packResult(partial);
    expect(packed.S_probes).toHaveLength(2 * p);
    expect(packed.shell.components.S).toEqual([]);
    expect(unpackResult(packed)).toEqual(partial);
  });
  it('hands over one buffer per vector, none shared with the result', () => {
    const r = sampleResult();
    const { packed, transfer } = packResult(r);
    expect(transfer).toHaveLength(8);
    expect(new Set(transfer).size).toBe(8);
    expect(transfer).toContain(packed.S.buffer);
    // Transferring (as postMessage does) detaches the buffers; the original result is untouched.
    structuredClone(packed, { transfer });
    expect(packed.S.byteLength).toBe(0);
    expect(r.components.S.length).toBeGreaterThan(0);
  });
});
