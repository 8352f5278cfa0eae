// Readers for config.json fields, shared by every family's config parser: each failure names the
// field and what was expected, as a ConfigFieldError (checkpoint/config.ts reports it as a
// CheckpointError on config.json).

import type { RopeScaling } from './config';

export type RawConfig = Record<string, unknown>;

export const CONFIG_FIELD_FILE = 'config.json';

/** A config.json field that is missing, malformed or asks for math the compiler does not implement. */
export class ConfigFieldError extends Error {
  override name = 'ConfigFieldError';
}

export function configFail(message: string): never {
  throw new ConfigFieldError(`${CONFIG_FIELD_FILE}: ${message}`);
}

export function isObject(value: unknown): value is RawConfig {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function positiveInt(raw: RawConfig, key: string, prefix = ''): number {
  const value = raw[key];
  if (value === undefined || value === null) configFail(`missing required field ${prefix}${key}`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    configFail(`${prefix}${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

export function optionalPositiveInt(raw: RawConfig, key: string): number | undefined {
  return raw[key] === undefined || raw[key] === null ? undefined : positiveInt(raw, key);
}

export function positiveNumber(raw: RawConfig, key: string, fallback: number | undefined, prefix = ''): number {
  const value = raw[key];
  if (value === undefined || value === null) {
    if (fallback === undefined) configFail(`missing required field ${prefix}${key}`);
    return fallback as number;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    configFail(`${prefix}${key} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

export function optionalBool(raw: RawConfig, key: string): boolean | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') configFail(`${key} must be true or false, got ${JSON.stringify(value)}`);
  return value as boolean;
}

/** Fail if `key` is present with a value other than the one the compiler implements. */
export function rejectUnless(raw: RawConfig, key: string, supported: boolean): void {
  const value = optionalBool(raw, key);
  if (value !== undefined && value !== supported) configFail(`${key}=${value} is not supported (only ${supported})`);
}

export function tokenIds(raw: RawConfig, vocabSize: number): { bosTokenId: number | null; eosTokenId: number | null } {
  return { bosTokenId: tokenId(raw, 'bos_token_id', vocabSize), eosTokenId: tokenId(raw, 'eos_token_id', vocabSize) };
}

function tokenId(raw: RawConfig, key: string, vocabSize: number): number | null {
  let value = raw[key];
  if (Array.isArray(value)) value = value[0]; // e.g. Llama 3 instruct lists several eos ids; the first is the main one
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value >= vocabSize) {
    configFail(`${key} must be a token id in [0, ${vocabSize}), got ${JSON.stringify(raw[key])}`);
  }
  return value as number;
}

/**
 * rope_theta and the scaling block. transformers v5 moves rope settings into `rope_parameters`;
 * older configs use rope_theta + rope_scaling. `thetaKeys` lists a family's older names for the base.
 */
export function readRope(raw: RawConfig, defaultTheta: number, thetaKeys: readonly string[] = ['rope_theta']): { ropeTheta: number; ropeScaling: RopeScaling } {
  const ropeParameters = isObject(raw.rope_parameters) ? raw.rope_parameters : null;
  const thetaKey = thetaKeys.find((key) => raw[key] !== undefined);
  const ropeTheta =
    thetaKey !== undefined
      ? positiveNumber(raw, thetaKey, 0)
      : ropeParameters && ropeParameters.rope_theta !== undefined
        ? positiveNumber(ropeParameters, 'rope_theta', 0, 'rope_parameters.')
        : defaultTheta;
  const ropeScaling = parseRopeScaling(
    raw.rope_scaling !== undefined ? raw.rope_scaling : ropeParameters,
    raw.rope_scaling !== undefined ? 'rope_scaling' : 'rope_parameters',
  );
  return { ropeTheta, ropeScaling };
}

export function parseRopeScaling(value: unknown, field = 'rope_scaling'): RopeScaling {
  if (value === null || value === undefined) return { type: 'none' };
  if (!isObject(value)) return configFail(`${field} is not an object or null`);
  const kind = value.rope_type ?? value.type;
  const prefix = `${field}.`;
  switch (kind) {
    case undefined:
    case 'default':
      return { type: 'none' };
    case 'linear':
      return { type: 'linear', factor: positiveNumber(value, 'factor', undefined, prefix) };
    case 'llama3': {
      const lowFreqFactor = positiveNumber(value, 'low_freq_factor', undefined, prefix);
      const highFreqFactor = positiveNumber(value, 'high_freq_factor', undefined, prefix);
      if (highFreqFactor <= lowFreqFactor) {
        configFail(`${field}: high_freq_factor ${highFreqFactor} must exceed low_freq_factor ${lowFreqFactor}`);
      }
      return {
        type: 'llama3',
        factor: positiveNumber(value, 'factor', undefined, prefix),
        lowFreqFactor,
        highFreqFactor,
        originalMaxPositionEmbeddings: positiveInt(value, 'original_max_position_embeddings', prefix),
      };
    }
    default:
      return configFail(`${field} type ${JSON.stringify(kind)} is not supported; supported: none, linear, llama3`);
  }
}

/** head_dim (explicit, or width / heads) and the kv-head count, with the divisibility checks RoPE and GQA need. */
export function readHeads(raw: RawConfig, hiddenSize: number, widthKey = 'hidden_size'): { numHeads: number; numKvHeads: number; headDim: number } {
  const numHeads = positiveInt(raw, 'num_attention_heads');
  const numKvHeads = optionalPositiveInt(raw, 'num_key_value_heads') ?? numHeads;
  const explicitHeadDim = optionalPositiveInt(raw, 'head_dim');
  if (explicitHeadDim === undefined && hiddenSize % numHeads !== 0) {
    configFail(`${widthKey} ${hiddenSize} is not divisible by num_attention_heads ${numHeads} (and no head_dim is given)`);
  }
  if (numHeads % numKvHeads !== 0) {
    configFail(`num_attention_heads ${numHeads} is not divisible by num_key_value_heads ${numKvHeads}`);
  }
  const headDim = explicitHeadDim ?? hiddenSize / numHeads;
  if (headDim % 2 !== 0) configFail(`head dimension ${headDim} is odd; rotary embeddings need an even head dimension`);
  return { numHeads, numKvHeads, headDim };
}
