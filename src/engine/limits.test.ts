import { describe, expect, it } from 'vitest';
import { checkLimit, describeLimit, LIMITS, limitProblem, LimitError, MAX_CONTEXT_TOKENS, withinLimit } from './limits';

describe('limits', () => {
  it('accepts values inside each bound and explains values outside it', () => {
    expect(limitProblem('m', 10)).toBeNull();
    expect(limitProblem('m', LIMITS.m.max)).toBeNull();
    expect(limitProblem('m', 100_000_000)).toBe('must be an integer from 1 to 256 (Rademacher probes per token), got 100000000');
    expect(limitProblem('m', 2.5)).toMatch(/must be an integer/);
    expect(limitProblem('m', NaN)).toMatch(/got NaN/);
    expect(limitProblem('beta', 0.25)).toBeNull();
    expect(limitProblem('beta', Infinity)).toMatch(/must be a number from/);
    expect(limitProblem('targetPosition', MAX_CONTEXT_TOKENS)).toMatch(/from 1 to 32767/);
    expect(() => checkLimit('generate', 0, 'gen')).toThrow(LimitError);
    expect(() => checkLimit('generate', 0, 'gen')).toThrow(/^gen must be an integer from 1 to 64/);
    expect(checkLimit('seed', 7)).toBe(7);
    expect(withinLimit('seed', -1)).toBe(false);
    expect(withinLimit('seed', 2 ** 32 - 1)).toBe(true);
    expect(describeLimit('m')).toBe('an integer from 1 to 256');
  });
});
