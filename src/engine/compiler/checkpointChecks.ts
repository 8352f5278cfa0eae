// Checks the compiler makes on a checkpoint before trusting it, so a damaged or mismatched checkpoint is
// refused by name instead of compiling into a model that gives NaN or a silently truncated network.

import type { Checkpoint } from '../checkpoint/checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import type { ModelConfig, Tensor } from '../checkpoint/types';
import { MAX_CONTEXT_TOKENS } from '../limits';
import type { ParamSpec } from '../architectures/weights';

/**
 * Tensors a checkpoint may carry that the model does not read: GPT-2's causal-mask buffers
 * (`attn.bias`, `attn.masked_bias`; GPT-NeoX's `attention.bias`/`masked_bias`), old Llama and GPT-NeoX checkpoints' `rotary_emb.inv_freq` (recomputed from the
 * config), and an `lm_head.weight` stored next to tied embeddings (transformers ignores it too).
 */
const HARMLESS_UNUSED: readonly RegExp[] = [/\.(attn|attention)\.(bias|masked_bias)$/, /\.rotary_emb\.inv_freq$/];

/** The config the bundle is compiled for: positions capped at what attribution can run (MAX_CONTEXT_TOKENS). */
export function runnableConfig(config: ModelConfig): ModelConfig {
  return config.maxPositions <= MAX_CONTEXT_TOKENS ? config : { ...config, maxPositions: MAX_CONTEXT_TOKENS };
}

/** `tensor` unchanged, or a CheckpointError naming it when it holds NaN or ±Inf. */
export function checkFinite(tensor: Tensor, name: string): Tensor {
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      let count = 0;
      for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j])) count++;
      throw new CheckpointError(
        `tensor "${name}" holds ${count} non-finite value(s) (first: ${data[i]} at element ${i}): the checkpoint is damaged or was saved after training diverged; heta convert refuses it`,
        { tensor: name },
      );
    }
  }
  return tensor;
}

/** Throws a CheckpointError listing checkpoint tensors that no parameter reads (e.g. config.json has fewer layers than the weights). */
export function checkUnusedTensors(ckpt: Checkpoint, specs: readonly ParamSpec[]): void {
  const used = new Set(specs.map((s) => s.source));
  const tied = ckpt.config.tieWordEmbeddings;
  const unused = ckpt.tensorNames.filter(
    (name) => !used.has(name) && !HARMLESS_UNUSED.some((re) => re.test(name)) && !(tied && name === 'lm_head.weight'),
  );
  if (unused.length === 0) return;
  const shown = unused.slice(0, 6).join(', ') + (unused.length > 6 ? `, … (${unused.length - 6} more)` : '');
  throw new CheckpointError(
    `${ckpt.label}: the checkpoint has ${unused.length} tensor(s) the model described by config.json does not use: ${shown}. ` +
      'Does config.json match the weights (e.g. the number of layers)? Converting would silently drop them',
    { tensor: unused[0] },
  );
}
