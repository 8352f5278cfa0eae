import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/checkpoint';
import { memorySource } from '../checkpoint/memorySource';
import type { ModelConfig } from '../checkpoint/types';
import { compileBundle } from '../compiler/bundle';
import { makeTinyCheckpoint, type TinyCheckpointOptions } from '../../testing/tinyCheckpoint';
import { CATALOG } from './catalog';
import { estimateMemory, parameterCount, planMemory, storedWeightBytes, WASM_MEMORY_LIMIT } from './memoryPlan';

const GiB = 2 ** 30;

/** SmolLM2-135M's config.json as the compiler parses it (134,515,008 parameters). */
const SMOLLM2_135M: ModelConfig = {
  architecture: 'llama',
  hfArchitecture: 'LlamaForCausalLM',
  vocabSize: 49152,
  hiddenSize: 576,
  numLayers: 30,
  numHeads: 9,
  numKvHeads: 3,
  headDim: 64,
  intermediateSize: 1536,
  maxPositions: 8192,
  normEps: 1e-5,
  norm: 'rmsnorm',
  mlp: 'swiglu',
  positions: 'rope',
  ropeTheta: 100000,
  ropeScaling: { type: 'none' },
  qkvBias: false,
  outBias: false,
  mlpBias: false,
  tieWordEmbeddings: true,
  bosTokenId: 0,
  eosTokenId: 0,
};

describe('memory estimate', () => {
  it.each<[string, TinyCheckpointOptions]>([
    ['gpt2', { family: 'gpt2' }],
    ['llama gqa untied with biases', { family: 'llama', gqa: true, attentionBias: true, mlpBias: true }],
    ['qwen2 tied', { family: 'qwen2', tied: true }],
    ['qwen3 q/k norms', { family: 'qwen3', gqa: true }],
    ['phi3 fused projections', { family: 'phi3', gqa: true }],
    ['gemma3 sandwich norms, GeGLU', { family: 'gemma3', gqa: true }],
    ['gpt-neox untied, biases', { family: 'gpt_neox' }],
  ])('counts the parameters and weight bytes the compiler writes (%s)', async (_, options) => {
    const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options)));
    for (const quant of ['none', 'q8', 'q4'] as const) {
      const { manifest } = await compileBundle(ckpt, { quant, modelId: 't' });
      expect(parameterCount(ckpt.config)).toBe(manifest.parameters);
      // weights.bin pads each tensor to 64 bytes and leaves out constants of at most 1 KiB (inline in the graph).
      const { none, q8, q4 } = manifest.quantization.tensors;
      expect(Math.abs(manifest.weights.bytes - storedWeightBytes(ckpt.config, quant)), quant).toBeLessThanOrEqual((64 + 1024) * (none + q8 + q4));
    }
  });

  it('knows a real model: SmolLM2-135M has 134,515,008 parameters', () => {
    expect(parameterCount(SMOLLM2_135M)).toBe(134_515_008);
    const e = estimateMemory(SMOLLM2_135M, { checkpointBytes: 269e6, quant: 'q8' });
    // Measured: the q8 bundle of a SmolLM2-135M-shaped checkpoint has 135,507,712 bytes of weights, the q4 one 95,118,592.
    expect(Math.abs(e.weightBytes - 135_507_712) / 135_507_712).toBeLessThan(0.001);
    expect(Math.abs(storedWeightBytes(SMOLLM2_135M, 'q4') - 95_118_592) / 95_118_592).toBeLessThan(0.002);
    // Measured while loading that bundle: 629 MiB peak RSS in Node; the model's 400 MiB base covers a browser page and worker.
    expect(e.loadBytes / (629 * 2 ** 20)).toBeGreaterThan(0.9);
    expect(e.loadBytes / (629 * 2 ** 20)).toBeLessThan(1.5);
    expect(e.context).toBe(1024); // planned context, below the model's 8192
    expect(e.largestTensorBytes).toBe(4 * 49152 * 576);
  });
});

describe('memory plan against the device', () => {
  const tiny: ModelConfig = { ...SMOLLM2_135M, vocabSize: 320, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 64, maxPositions: 64 };

  it('lets a small model through with its numbers', () => {
    const plan = planMemory(tiny, estimateMemory(tiny, { checkpointBytes: 200_000, quant: 'q8' }), { deviceBytes: 8 * GiB, gpuMaxBufferBytes: GiB });
    expect(plan.verdict).toBe('ok');
    expect(plan.maxContext).toBe(64);
    expect(plan.message).toMatch(/^Memory: needs about .* budget 4\.0 GiB, WebAssembly's 4\.0 GiB memory limit/);
    expect(plan.gpuNote).toBeNull();
  });

  it('refuses a model whose weights alone exceed the budget, before anything is downloaded', () => {
    const qwen = CATALOG.find((m) => m.hubId === 'Qwen/Qwen2.5-0.5B')!;
    const plan = planMemory(qwen.config, estimateMemory(qwen.config, { checkpointBytes: qwen.checkpointBytes, quant: 'none' }), { deviceBytes: 4 * GiB, gpuMaxBufferBytes: null });
    expect(plan.verdict).toBe('refused');
    expect(plan.budgetBytes).toBe(2 * GiB);
    expect(plan.message).toMatch(/too large for this device: it needs about .*budget 2\.0 GiB, half of the 4\.0 GiB this device reports\. Choose a smaller model or a smaller quantization/);
  });

  it('fits SmolLM2-135M (q8) on a 4 GiB device: one copy of its weights, not five float32 ones', () => {
    const plan = planMemory(SMOLLM2_135M, estimateMemory(SMOLLM2_135M, { checkpointBytes: 269e6, quant: 'q8' }), { deviceBytes: 4 * GiB, gpuMaxBufferBytes: null });
    expect(plan.verdict).not.toBe('refused');
    expect(plan.estimate.weightBytes).toBeLessThan(140e6);
  });

  it('downsizes the context when weights fit but activations at the planned context do not', () => {
    const plan = planMemory(SMOLLM2_135M, estimateMemory(SMOLLM2_135M, { checkpointBytes: 269e6, quant: 'q8' }), { deviceBytes: 8 * GiB, gpuMaxBufferBytes: null });
    expect(plan.verdict).toBe('downsized');
    expect(plan.maxContext).toBeLessThan(1024);
    expect(plan.maxBatch).toBeGreaterThanOrEqual(1);
    expect(plan.estimate.weightBytes + plan.estimate.graphBytes + plan.estimate.activationBytes).toBeLessThanOrEqual(plan.budgetBytes);
    expect(plan.message).toMatch(new RegExp(`^Reduced to fit this device: .*prompts of at most ${plan.maxContext} tokens`));
  });

  it('uses WebAssembly\'s 4 GiB limit when the browser reports no device memory, and notes a GPU buffer limit', () => {
    const plan = planMemory(SMOLLM2_135M, estimateMemory(SMOLLM2_135M, { checkpointBytes: 269e6, quant: 'q4' }), { deviceBytes: null, gpuMaxBufferBytes: 64 * 2 ** 20 });
    expect(plan.budgetBytes).toBe(WASM_MEMORY_LIMIT);
    expect(plan.budgetSource).toMatch(/does not report device memory/);
    expect(plan.gpuNote).toMatch(/exceeds this GPU's buffer limit \(64\.0 MiB\), so it runs on WebAssembly/);
  });
});
