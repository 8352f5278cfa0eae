// Generate-and-explain: greedy continuation of a prompt, then one HETA attribution per generated token
// (target × source matrix). Row k explains generated token k from every token before it, prompt and
// earlier generated tokens alike; a last row explains the whole continuation's log-probability (a span
// target, teacher-forced) from the prompt alone.

import { generateContinuation, type GeneratedText } from '../model/languageModel';
import type { AttributionModel } from '../model/attributionModel';
import { attribute, type AttributionOptions, type AttributionProgress } from './heta';
import { AttributionError, encodePrompt } from './target';
import type { AttributionParams, AttributionResult, TargetRequest } from './schema';
import { LIMITS, limitProblem } from '../limits';

export const GENERATION_SCHEMA = 'heta-generation';
/** 2 added `continuation`, the whole continuation as one span target (reported as row `rows.length`). */
export const GENERATION_SCHEMA_VERSION = 2;
/** More rows than this would take minutes each in a browser. */
export const MAX_GENERATED = LIMITS.generate.max;

export interface GenerationResult extends GeneratedText {
  schema: typeof GENERATION_SCHEMA;
  version: number;
  prompt: string;
  /** rows[k] explains tokens[generated[k]]. */
  rows: AttributionResult[];
  /** The whole continuation as one span target over the prompt; null when nothing was generated. */
  continuation: AttributionResult | null;
}

export interface GenerationProgress extends AttributionProgress {
  /** The row being attributed (0-based; the whole continuation is row `rows − 1`) and how many there are. */
  row: number;
  rows: number;
}

export interface GenerationOptions extends Omit<AttributionOptions, 'onProgress'> {
  onGenerated?: (g: GeneratedText) => void;
  onRow?: (index: number, result: AttributionResult) => void;
  onProgress?: (p: GenerationProgress) => void;
}

export async function attributeGeneration(
  model: AttributionModel,
  prompt: string,
  steps: number,
  params: Partial<AttributionParams> = {},
  options: GenerationOptions = {},
): Promise<GenerationResult> {
  const { onGenerated, onRow, onProgress, ...attributionOptions } = options;
  const stepsProblem = limitProblem('generate', steps);
  if (stepsProblem) throw new AttributionError(`the number of tokens to generate ${stepsProblem}`);
  const n = encodePrompt(model, prompt).tokens.length;
  const max = model.config.maxPositions;
  if (n >= max) throw new AttributionError(`the prompt has ${n} tokens and ${model.manifest.modelId} reads at most ${max}: no room to generate; shorten the prompt`);
  const generated = await generateContinuation(model, prompt, steps);
  options.signal?.throwIfAborted();
  onGenerated?.(generated);
  const encoded = { text: generated.text, tokens: generated.tokens };
  const rows: AttributionResult[] = [];
  const positions = generated.generated;
  const total = positions.length + (positions.length > 0 ? 1 : 0);
  const explain = async (row: number, target: TargetRequest) => {
    const result = await attribute(model, encoded, target, params, { ...attributionOptions, onProgress: (p) => onProgress?.({ ...p, row, rows: total }) });
    onRow?.(row, result);
    return result;
  };
  for (const [row, position] of positions.entries()) rows.push(await explain(row, { kind: 'position', position }));
  // The generated tokens are consecutive (greedy steps after the prompt's last token).
  const continuation = positions.length > 0 ? await explain(positions.length, { kind: 'span', start: positions[0], end: positions[positions.length - 1] + 1 }) : null;
  return { schema: GENERATION_SCHEMA, version: GENERATION_SCHEMA_VERSION, prompt, ...generated, rows, continuation };
}
