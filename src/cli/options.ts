// Option parsing shared by the CLI commands.

import { DEFAULT_PARAMS, type AttributionParams, type MaskScheme } from '../engine/attribution/schema';
import { checkLimit, LIMITS, type LimitName } from '../engine/limits';

/**
 * argv with `--name -1` rewritten to `--name=-1` for the string options in `options`: node's parseArgs
 * takes a value starting with '-' only in the `=` form and otherwise stops with an "ambiguous" error.
 */
export function withNegativeValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    const next = argv[i + 1];
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function numberOption(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'}, got '${value}'`);
  return n;
}

/** A number option that must also stay within the engine's bounds for `limit` (see engine/limits.ts). */
export function limitedOption(name: string, limit: LimitName, value: string | undefined, fallback: number): number {
  return checkLimit(limit, numberOption(name, value, fallback, LIMITS[limit].integer), `--${name}`);
}

export function parseMask(value: string): MaskScheme {
  if (value === 'zero' || value === 'mean') return { kind: value };
  const m = /^token:(\d+)$/.exec(value);
  if (m) return { kind: 'token', id: Number(m[1]) };
  throw new Error(`--mask must be zero, mean or token:<id>, got '${value}'`);
}

/** How S is estimated, shared by `attribute` and `eval`: spread into their parseArgs options, read with parseSensitivity. */
export const SENSITIVITY_OPTIONS = {
  adaptive: { type: 'boolean', default: false },
  'se-target': { type: 'string' },
  'min-probes': { type: 'string' },
  difference: { type: 'string', default: 'central' },
} as const;

export function parseSensitivity(values: { adaptive?: boolean; 'se-target'?: string; 'min-probes'?: string; difference?: string }): Pick<AttributionParams, 'adaptive' | 'seTarget' | 'minProbes' | 'difference'> {
  if (!values.adaptive && (values['se-target'] !== undefined || values['min-probes'] !== undefined)) throw new Error('--se-target and --min-probes set adaptive probing: add --adaptive');
  return {
    adaptive: values.adaptive ?? false,
    seTarget: limitedOption('se-target', 'seTarget', values['se-target'], DEFAULT_PARAMS.seTarget),
    minProbes: limitedOption('min-probes', 'minProbes', values['min-probes'], DEFAULT_PARAMS.minProbes),
    difference: parseDifference(values.difference ?? 'central'),
  };
}

export function parseDifference(value: string): AttributionParams['difference'] {
  if (value === 'central' || value === 'forward') return value;
  throw new Error(`--difference must be central or forward (first-order, half the passes), got '${value}'`);
}

export function parseScaling(value: string): AttributionParams['scaling'] {
  if (value === 'raw' || value === 'normalized') return value;
  throw new Error(`--scaling must be raw (the paper's M·(βS + γI)) or normalized (S and I each divided by their sum over the context), got '${value}'`);
}
