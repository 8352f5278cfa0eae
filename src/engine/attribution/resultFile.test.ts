import { describe, expect, it } from 'vitest';
import { sampleResult } from '../../testing/sampleResult';
import { parseResultFile, requestOf } from './resultFile';
import type { AttributionResult } from './schema';

const text = (r: unknown) => JSON.stringify(r);

describe('parseResultFile', () => {
  it('reads results of every version this build wrote (v1 without sensitivity or g, v3 with a span)', () => {
    const v1 = sampleResult();
    expect(parseResultFile(text(v1))).toEqual(v1);
    const v3: AttributionResult = { ...v1, version: 3, target: { ...v1.target, kind: 'span', position: 5, span: { ids: [1, 2], text: ' on the', end: 7, logprob: -4, continuation: null }, g: -4 } };
    v3.components = { ...v1.components, M: v1.components.M.slice(0, 5), S: v1.components.S.slice(0, 5), I: v1.components.I.slice(0, 5), S_stderr: v1.components.S_stderr.slice(0, 5) };
    v3.scores = v1.scores.slice(0, 5);
    expect(parseResultFile(text(v3)).target.span?.end).toBe(7);
  });

  it('names what is wrong with a damaged or foreign file, and never lets a non-finite number through', () => {
    const r = sampleResult();
    expect(() => parseResultFile('{"schema":', 'x.json')).toThrow(/x\.json is not valid JSON/);
    expect(() => parseResultFile(text({ ...r, schema: 'heta-generation' }))).toThrow(/schema is "heta-generation", not "heta-attribution"/);
    expect(() => parseResultFile(text({ ...r, version: 99 }))).toThrow(/version 99 is not one this build reads \(1 … 3\); a newer heta wrote it/);
    // JSON has no NaN: a NaN written by another tool arrives as null.
    expect(() => parseResultFile(text({ ...r, scores: [...r.scores.slice(0, -1), null] }))).toThrow(/scores\[8\] is null, not a finite number/);
    expect(() => parseResultFile(text({ ...r, components: { ...r.components, S: r.components.S.slice(1) } }))).toThrow(/components\.S must hold 9 numbers/);
    expect(() => parseResultFile(text({ ...r, target: { ...r.target, position: 40 } }))).toThrow(/target position 40 is outside the 9 tokens/);
    expect(() => parseResultFile(text({ ...r, tokens: [{ id: 1 }] }))).toThrow(/token 0 lacks/);
  });

  it('requestOf gives the request that produced each kind of result', () => {
    const r = sampleResult();
    expect(requestOf(r)).toEqual({ kind: 'next', tokenId: 42 });
    expect(requestOf({ ...r, target: { ...r.target, kind: 'position', position: 4 } })).toEqual({ kind: 'position', position: 4 });
    const foil = { id: 7, text: ' dog', probability: 0.1, logprob: -2.3 };
    expect(requestOf({ ...r, target: { ...r.target, kind: 'contrast', foil } })).toEqual({ kind: 'contrast', target: { kind: 'next', tokenId: 42 }, foilId: 7 });
    expect(requestOf({ ...r, target: { ...r.target, kind: 'contrast', position: 4, foil } })).toEqual({ kind: 'contrast', target: { kind: 'position', position: 4 }, foilId: 7 });
    const span = { ids: [1], text: ' on', end: 6, logprob: -1 };
    expect(requestOf({ ...r, target: { ...r.target, kind: 'span', position: 5, span: { ...span, continuation: null } } })).toEqual({ kind: 'span', start: 5, end: 6 });
    expect(requestOf({ ...r, target: { ...r.target, kind: 'span', position: 5, span: { ...span, continuation: ' on' } } })).toEqual({ kind: 'span', continuation: ' on' });
  });
});
