// The HETA engine end to end in the browser: the same attribution (tiny compiled bundle, same prompt,
// target and parameters) runs in Node (onnxruntime-node CPU) and, through the engine harness page
// (a module worker: fetchBundleSource → AttributionModel.load → attribute, as the app's worker
// does), with onnxruntime-web on WebAssembly and on WebGPU (SwiftShader). The final scores and the
// components M, S and I must agree within 1e-4 relative to each vector's largest magnitude, and the
// result must name the backend it was asked for.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { attribute } from '../src/engine/attribution/heta.ts';
import { openCheckpoint } from '../src/engine/checkpoint/checkpoint.ts';
import { memorySource } from '../src/engine/checkpoint/memorySource.ts';
import { compileBundle } from '../src/engine/compiler/bundle.ts';
import { AttributionModel } from '../src/engine/model/attributionModel.ts';
import { createNodeRuntime } from '../src/engine/runtime/nodeRuntime.ts';
import { bundleDirSource, writeBundleDir } from '../src/node/bundleFiles.ts';
import { makeTinyCheckpoint } from '../src/testing/tinyCheckpoint.ts';

export const timeout = 300_000;

const HARNESS = '/e2e/pages/engine-harness.html';
const TOL = 1e-4;

const MODELS = {
  gpt2: { family: 'gpt2', seed: 31 },
  llama: { family: 'llama', gqa: true, ropeScaling: 'llama3', tied: false, seed: 32 },
  qwen3: { family: 'qwen3', gqa: true, tied: true, seed: 33 },
  mistral: { family: 'mistral', gqa: true, slidingWindow: 4, seed: 34 },
  gpt_neox: { family: 'gpt_neox', seed: 35 },
  gemma: { family: 'gemma', gqa: true, seed: 39 },
  gemma2: { family: 'gemma2', gqa: true, slidingWindow: 4, softcaps: [2, 3], seed: 37 },
  gemma3: { family: 'gemma3', gqa: true, layers: 3, slidingWindow: 4, slidingPattern: 3, seed: 38 },
  // LongRoPE caps the context at original_max_position_embeddings = 64 / 4 = 16 tokens.
  phi3: { family: 'phi3', gqa: true, longRope: true, partialRotaryFactor: 0.5, slidingWindow: 6, seed: 36 },
  // Quantized bundles: q8 (int8 per row) and q4 (ONNX int4 blocks) dequantized inside the graph.
  gpt2Q8: { family: 'gpt2', seed: 41, quant: 'q8' },
  llamaQ4: { family: 'llama', gqa: true, tied: true, seed: 42, quant: 'q4' },
};

/**
 * Scores, M, S and I are compared relative to each vector's largest |value| (Node's): their scales
 * differ by orders of magnitude (M sums to 1, I is a KL divergence, S a Hessian norm), and what
 * matters is that the attribution — the relative importance of the tokens — is the same. S comes
 * from finite differences of gradients, which amplify float32 rounding by 1/ε, so an absolute bound
 * would say little about it.
 */
function relativeDiff(actual, expected, what, scaleOf = expected) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Number.isFinite(actual[i]), `${what}[${i}] is ${actual[i]}`);
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  for (const v of scaleOf) scale = Math.max(scale, Math.abs(v));
  return scale > 0 ? worst / scale : worst;
}

async function compile(ctx, name) {
  const { quant = 'none', ...options } = MODELS[name];
  const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(options), name));
  const bundle = await compileBundle(ckpt, { quant, modelId: `tiny-${name}` });
  const dir = join(ctx.fixturesDir, name);
  await writeBundleDir(dir, bundle.files);
  return { dir, url: ctx.fixtureUrl(`${name}/`) };
}

async function nodeAttribution(dir, prompt, target, params) {
  const model = await AttributionModel.load(bundleDirSource(dir), await createNodeRuntime({ threads: 1 }));
  try {
    return await attribute(model, prompt, target, params);
  } finally {
    await model.release();
  }
}

async function openHarness(ctx) {
  const page = await ctx.openPage(HARNESS);
  // (survives the reload a cold Vite dev server does after optimizing the worker's dependencies)
  await page.waitForFunction(() => window.engineHarnessReady === true || window.engineHarnessError !== undefined, null, { timeout: 60_000 });
  const error = await page.evaluate(() => window.engineHarnessError);
  assert.equal(error, undefined, `the engine harness worker did not start: ${error}`);
  return page;
}

/** Runs one attribution in Node and in the browser on `backend` and compares the results. */
async function browserMatchesNode(ctx, { model, backend, prompt, tokens: [minTokens, maxTokens], target, params }) {
  const { dir, url } = await compile(ctx, model);
  const nodeStarted = Date.now();
  const node = await nodeAttribution(dir, prompt, target, params);
  const nodeMs = Date.now() - nodeStarted;
  const n = node.tokens.length;
  assert.ok(n >= minTokens && n <= maxTokens, `the prompt has ${n} tokens, expected ${minTokens}–${maxTokens}: pick another prompt`);

  const page = await openHarness(ctx);
  const { result: web, runtimeDetail, timings } = await page.evaluate((req) => window.runAttribution(req), {
    backend,
    bundleUrl: url,
    prompt,
    target,
    params,
  });

  assert.equal(web.backend.name, backend, `the browser ran on ${web.backend.name}: ${web.backend.detail}`);
  assert.equal(web.backend.detail, runtimeDetail);
  if (backend === 'webgpu') assert.match(web.backend.detail, /^WebGPU \(.*swiftshader.*fallback adapter\)$/i);
  else assert.match(web.backend.detail, /^WebAssembly, \d threads?$/);
  assert.equal(node.backend.name, 'cpu');

  // Same inputs and the same discrete choices.
  assert.deepEqual(web.tokens, node.tokens, 'tokens');
  assert.deepEqual(
    { ...web.target, probability: 0, logprob: 0, g: 0 },
    { ...node.target, probability: 0, logprob: 0, g: 0 },
    'target (id, text, position, objective)',
  );
  assert.ok(Math.abs(web.target.logprob - node.target.logprob) <= TOL, `target logprob ${web.target.logprob} vs ${node.target.logprob}`);
  assert.ok(Math.abs(web.target.g - node.target.g) <= TOL, `target g ${web.target.g} vs ${node.target.g}`);
  assert.deepEqual(web.predictions.map((p) => p.id), node.predictions.map((p) => p.id), 'top predictions');
  assert.deepEqual(web.params, node.params, 'parameters and ε');
  assert.deepEqual(web.passes, node.passes, 'passes');

  // The required four, then what the inspector shows besides. S's standard error is measured
  // against the scale of S itself: it is a spread of m nearly equal probe norms, so cancellation
  // makes its error relative to itself large (1.5e-4 seen with m = 3) while its error in units of S
  // stays that of the probe norms.
  const c = (r) => r.components;
  const vectors = {
    scores: [web.scores, node.scores],
    M: [c(web).M, c(node).M],
    S: [c(web).S, c(node).S],
    I: [c(web).I, c(node).I],
    M_layers: [c(web).M_layers.flat(), c(node).M_layers.flat()],
    S_probes: [c(web).S_probes.flat(), c(node).S_probes.flat()],
    S_stderr: [c(web).S_stderr, c(node).S_stderr, c(node).S],
  };
  const diffs = {};
  for (const [name, [a, e, scale]] of Object.entries(vectors)) diffs[name] = relativeDiff(a, e, name, scale);
  ctx.log(
    `${model} on ${web.backend.detail}: ${n} tokens, m = ${params.m}, target ${JSON.stringify(web.target.text)}; ` +
      `node ${nodeMs} ms, browser load ${timings.loadMs.toFixed(0)} ms + attribute ${timings.attributeMs.toFixed(0)} ms`,
  );
  ctx.log(`max |web − node| / max |node| (S_stderr: / max |S|): ${Object.entries(diffs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  const failures = Object.entries(diffs).filter(([, v]) => !(v <= TOL));
  assert.deepEqual(failures, [], `the browser's attribution differs from Node's by more than ${TOL} (relative)`);
}

export async function wasmMatchesNodeGpt2(ctx) {
  await browserMatchesNode(ctx, {
    model: 'gpt2',
    backend: 'wasm',
    prompt: 'The fox runs into the',
    tokens: [10, 14],
    target: { kind: 'next' },
    params: { m: 3, seed: 7 },
  });
}

export async function wasmMatchesNodeLlamaGqa(ctx) {
  await browserMatchesNode(ctx, {
    model: 'llama',
    backend: 'wasm',
    prompt: 'The fox runs into the',
    tokens: [10, 14],
    target: { kind: 'position', position: 9 },
    params: { m: 3, seed: 8 },
  });
}

export async function webgpuMatchesNodeLlamaGqa(ctx) {
  await browserMatchesNode(ctx, {
    model: 'llama',
    backend: 'webgpu',
    prompt: 'Hello world',
    tokens: [4, 6],
    target: { kind: 'next' },
    params: { m: 1, seed: 9 },
  });
}

export async function wasmMatchesNodeQ8(ctx) {
  await browserMatchesNode(ctx, { model: 'gpt2Q8', backend: 'wasm', prompt: 'The fox runs into the', tokens: [10, 14], target: { kind: 'next' }, params: { m: 2, seed: 11 } });
}

export async function webgpuMatchesNodeQ8(ctx) {
  await browserMatchesNode(ctx, { model: 'gpt2Q8', backend: 'webgpu', prompt: 'Hello world', tokens: [4, 6], target: { kind: 'next' }, params: { m: 1, seed: 12 } });
}

export async function wasmMatchesNodeQ4(ctx) {
  await browserMatchesNode(ctx, { model: 'llamaQ4', backend: 'wasm', prompt: 'The fox runs into the', tokens: [10, 14], target: { kind: 'next' }, params: { m: 2, seed: 13 } });
}

/** q4 asked for on WebGPU runs on WebAssembly and says why (onnxruntime-web's WebGPU gets int4 wrong). */
export async function webgpuQ4RunsOnWasm(ctx) {
  const { url } = await compile(ctx, 'llamaQ4');
  const page = await openHarness(ctx);
  const { result } = await page.evaluate((req) => window.runAttribution(req), { backend: 'webgpu', bundleUrl: url, prompt: 'Hello world', target: { kind: 'next' }, params: { m: 1 } });
  assert.equal(result.backend.name, 'wasm');
  assert.match(result.backend.detail, /WebGPU not used: q4 \(int4\) weights run on WebAssembly/);
}

// The families added with the registry: every one on both backends. The prompts run past Mistral's
// window of 4, and GPT-NeoX's attribution reads ν from its fused query_key_value.
export async function wasmMatchesNodeQwen3(ctx) {
  await newFamilyMatchesNode(ctx, 'qwen3', 'wasm');
}
export async function webgpuMatchesNodeQwen3(ctx) {
  await newFamilyMatchesNode(ctx, 'qwen3', 'webgpu');
}
export async function wasmMatchesNodeMistral(ctx) {
  await newFamilyMatchesNode(ctx, 'mistral', 'wasm');
}
export async function webgpuMatchesNodeMistral(ctx) {
  await newFamilyMatchesNode(ctx, 'mistral', 'webgpu');
}
export async function wasmMatchesNodeGemma(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma', 'wasm');
}
export async function webgpuMatchesNodeGemma(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma', 'webgpu');
}
export async function wasmMatchesNodeGemma2(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma2', 'wasm');
}
export async function webgpuMatchesNodeGemma2(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma2', 'webgpu');
}
export async function wasmMatchesNodeGemma3(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma3', 'wasm');
}
export async function webgpuMatchesNodeGemma3(ctx) {
  await newFamilyMatchesNode(ctx, 'gemma3', 'webgpu');
}
export async function wasmMatchesNodePhi3(ctx) {
  await newFamilyMatchesNode(ctx, 'phi3', 'wasm');
}
export async function webgpuMatchesNodePhi3(ctx) {
  await newFamilyMatchesNode(ctx, 'phi3', 'webgpu');
}
export async function wasmMatchesNodeGptNeox(ctx) {
  await newFamilyMatchesNode(ctx, 'gpt_neox', 'wasm');
}
export async function webgpuMatchesNodeGptNeox(ctx) {
  await newFamilyMatchesNode(ctx, 'gpt_neox', 'webgpu');
}

function newFamilyMatchesNode(ctx, model, backend) {
  return browserMatchesNode(ctx, {
    model,
    backend,
    prompt: 'The fox runs into the forest',
    tokens: [5, 16],
    target: backend === 'wasm' ? { kind: 'next' } : { kind: 'position', position: 4 },
    params: { m: 2, seed: 10 },
  });
}
