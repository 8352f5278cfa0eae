// The model compiler end to end in the browser: tiny Hugging Face checkpoints (GPT-2, Llama with
// grouped-query attention and llama3 rope scaling, Qwen2 with qkv biases; float32, q8 and q4
// weights) are compiled into bundles, and every graph of each bundle (embed, forward, inspect,
// gradient) runs with onnxruntime-node and, through the ORT harness worker, with onnxruntime-web on
// WebGPU (SwiftShader) and on WebAssembly. Every output must match Node's within 1e-4 (see
// `tolerance`), and every session must really run on the provider asked for: the web runtime would
// otherwise fall back to WebAssembly per session, hiding an op that WebGPU cannot load.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileBundle } from '../src/engine/compiler/bundle.ts';
import { openCheckpoint } from '../src/engine/checkpoint/checkpoint.ts';
import { memorySource } from '../src/engine/checkpoint/memorySource.ts';
import { createNodeRuntime } from '../src/engine/runtime/nodeRuntime.ts';
import { PASS_ORDER } from '../src/engine/compiler/graphs.ts';
import { passFeeds, placeholders } from '../src/engine/model/passes.ts';
import { writeBundleDir } from '../src/node/bundleFiles.ts';
import { makeTinyCheckpoint } from '../src/testing/tinyCheckpoint.ts';

// About 1 min per test on an idle 2-core machine (WebGPU's first run compiles shaders on
// SwiftShader); twice that under load.
export const timeout = 420_000;

const HARNESS = '/e2e/pages/ort-harness.html';
const TOL = 1e-4;
const BACKENDS = ['wasm', 'webgpu'];
/**
 * Sequence length of every pass: tiny, because SwiftShader runs WebGPU on the CPU, but longer than
 * the fine RoPE table of these models (8 rows for 64 positions), so both of its tables are used.
 */
const T = 10;
/** Cached prefix length for graphs that take past keys and values. */
const P = 4;

/**
 * How far a web output may be from Node's: 1e-4 · max(1, max |Node output|).
 *
 * Embeddings, logits, log-probabilities, attention probabilities and value strengths of these tiny
 * models are O(1)–O(10), so for them this is (up to that factor) the plain absolute 1e-4 of the
 * requirement. Gradients are different: their scale is arbitrary (it depends on the target's
 * probability and on the depth of the model), and float32 rounding errors — which differ between
 * providers because they sum in different orders — are proportional to the magnitudes summed, not
 * absolute. A fixed absolute bound would be meaningless for gradients of 1e-3 and unattainable for
 * gradients of 1e3; so for `grad` the bound is relative to the largest gradient component, always
 * (even when it is below 1), which is the stricter reading for small gradients.
 */
function tolerance(graph, output, expected) {
  let max = 0;
  for (const v of expected) max = Math.max(max, Math.abs(v));
  if (output === 'grad') return { tol: TOL * max, scale: max, relative: true };
  // Differences of two gradients over 2ε = 0.02 amplify their rounding about 50×.
  if (output === 'hvp_norm') return { tol: 50 * TOL * max, scale: max, relative: true };
  return { tol: TOL * Math.max(1, max), scale: max, relative: false };
}

const CASES = [
  { name: 'gpt2', options: { family: 'gpt2', seed: 21 }, quants: ['none', 'q8', 'q4'] },
  { name: 'llama-gqa-llama3', options: { family: 'llama', gqa: true, ropeScaling: 'llama3', tied: false, seed: 22 }, quants: ['none', 'q4'] },
  { name: 'qwen2-gqa', options: { family: 'qwen2', gqa: true, seed: 23 }, quants: ['none', 'q8'] },
  { name: 'qwen3-qknorm', options: { family: 'qwen3', gqa: true, tied: true, seed: 24 }, quants: ['none', 'q8'] },
  { name: 'mistral-window4', options: { family: 'mistral', gqa: true, slidingWindow: 4, seed: 25 }, quants: ['none'] },
  { name: 'gptneox-pythia', options: { family: 'gpt_neox', seed: 26 }, quants: ['none', 'q4'] },
  { name: 'gemma2-softcap', options: { family: 'gemma2', gqa: true, slidingWindow: 3, softcaps: [2, 3], queryPreAttnScalar: 24, seed: 28 }, quants: ['none'] },
  { name: 'gemma3-local-rope', options: { family: 'gemma3', gqa: true, layers: 3, slidingWindow: 4, slidingPattern: 3, headDim: 16, seed: 29 }, quants: ['none', 'q8'] },
  { name: 'phi3-longrope', options: { family: 'phi3', gqa: true, longRope: true, partialRotaryFactor: 0.5, seed: 27 }, quants: ['none', 'q8'] },
];

/** Deterministic pseudo-random token ids and perturbations, independent of the model's seed. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function compile(ctx, family, quant) {
  const name = `${family.name}-${quant}`;
  const ckpt = await openCheckpoint(memorySource(makeTinyCheckpoint(family.options), name));
  const bundle = await compileBundle(ckpt, { quant, modelId: name });
  await writeBundleDir(join(ctx.fixturesDir, name), bundle.files);
  return { name, bundle };
}

const json = (type, dims, data) => ({ type, dims, data: Array.from(data, Number) });

function toHost(t) {
  if (t.type === 'float32') return { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) };
  if (t.type === 'int64') return { type: 'int64', dims: t.dims, data: BigInt64Array.from(t.data, (v) => BigInt(v)) };
  throw new Error(`unexpected feed type ${t.type}`);
}

/** Elements [from, to) of axis 2 of a JSON tensor [A, B, C, D]. */
/**
 * Runs every graph of the bundle in Node and returns, per graph, the JSON feeds (shared with the
 * browser, so both sides see bit-identical inputs) and Node's outputs. The forward and gradient
 * passes use a batch of two different sequences (the second perturbed), so batching is exercised
 * too. A graph this spec has no feeds for fails the test: every graph the compiler emits must be
 * run in the browser.
 */
async function nodeReference(bundle, seed) {
  const { config } = bundle.manifest;
  const { hiddenSize: d, vocabSize: V } = config;
  const rand = lcg(seed);
  const ids = Array.from({ length: T }, () => Math.floor(rand() * V));
  const runtime = await createNodeRuntime({ threads: 1 });
  const weights = bundle.files.get(bundle.manifest.weights.file);
  const out = {};
  const session = await runtime.createSession({ graph: bundle.files.get(bundle.manifest.model.file), externalData: [{ path: bundle.manifest.weights.file, data: weights }], name: 'model' });
  // Each pass of the one model, fed in full (its inputs, placeholders for the others, the pass index), so
  // the browser runs exactly the same request.
  const standIns = placeholders(config);
  const run = async (graph, feeds) => {
    const full = passFeeds(session.inputNames, standIns, graph, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toHost(v)])));
    const result = await session.run(full.feeds, full.outputs);
    const outputs = Object.fromEntries(Object.entries(result).map(([k, t]) => [k.slice(graph.length + 1), json(t.type, t.dims, t.data)]));
    out[graph] = { feeds: Object.fromEntries(Object.entries(full.feeds).map(([k, t]) => [k, json(t.type, t.dims, t.data)])), outputs: full.outputs, expected: outputs };
    return outputs;
  };

  const x = (await run('embed', { input_ids: json('int64', [1, T], ids) })).inputs_embeds.data;
  const x2 = x.map((v) => v + 0.05 * (rand() - 0.5));
  const pair = (a, b) => Float32Array.from([...a, ...b]);
  // A two-row objective with unequal weights (the shape of span and contrast targets).
  const objective = {
    target_rows: json('int64', [2], [T - 1, T - 2]),
    target_ids: json('int64', [2], [ids[0], (ids[1] + 7) % V]),
    target_weights: json('float32', [2], [1, -0.5]),
  };
  const inspected = await run('inspect', { inputs_embeds: json('float32', [1, T, d], x) });
  const feeds = {
    forward: () => ({ inputs_embeds: json('float32', [2, T, d], pair(x, x2)), rows: json('int64', [2, 2], [T - 1, 1, 2, T - 1]) }),
    gradient: () => ({ inputs_embeds: json('float32', [2, T, d], pair(x, x2)), ...objective }),
    // Two probes of token P: positions before P from the inspect pass's cache, differences in the graph.
    hessianProbe: () => ({
      inputs_embeds: json('float32', [1, T, d], x),
      past_keys: inspected.keys,
      past_values: inspected.values,
      start: json('int64', [1], [P]),
      ...objective,
      probes: json('float32', [2, d], Array.from({ length: 2 * d }, () => (rand() < 0.5 ? -1 : 1))),
      epsilon: json('float32', [1], [1e-2]),
    }),
  };
  for (const graph of PASS_ORDER) {
    if (out[graph]) continue;
    assert.ok(feeds[graph], `the model has a pass '${graph}' this spec cannot feed yet: add its feeds to nodeReference`);
    await run(graph, feeds[graph]());
  }
  await session.release();
  return out;
}

function compare(graph, name, actual, expected) {
  assert.equal(actual.type, expected.type, `${name}: type`);
  assert.deepEqual(actual.dims, expected.dims, `${name}: dims`);
  assert.equal(actual.data.length, expected.data.length, `${name}: length`);
  const { tol, scale, relative } = tolerance(graph, name, expected.data);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    assert.ok(Number.isFinite(a), `${name}[${i}] is ${a}`);
    worst = Math.max(worst, Math.abs(a - e));
  }
  return { worst, tol, scale, relative };
}

async function openHarness(ctx) {
  const page = await ctx.openPage(HARNESS);
  // ORT warns once per session that placed some nodes on its CPU provider (it does so for shape
  // ops on purpose). Such nodes still run in the browser, so this is no failure; count it for the log.
  const placement = { sessions: 0 };
  page.on('console', (msg) => {
    if (/Some nodes were not assigned to the preferred execution providers/.test(msg.text())) placement.sessions++;
  });
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 });
  return { page, placement };
}

/**
 * One family: compile each quantization, run every graph in Node, then in the browser on both
 * providers, and compare. Logs one line per bundle and provider with the largest difference of
 * each graph (absolute; relative to the largest |grad| for the gradient's `grad`).
 */
async function familyMatchesNode(ctx, family) {
  const bundles = [];
  for (const [i, quant] of family.quants.entries()) {
    const { name, bundle } = await compile(ctx, family, quant);
    bundles.push({ name, bundle, reference: await nodeReference(bundle, 1000 + i) });
  }
  const { page, placement } = await openHarness(ctx);
  const failures = [];
  for (const backend of BACKENDS) {
    for (const { name, bundle, reference } of bundles) {
      const parts = [];
      let runMs = 0;
      let createMs = 0;
      for (const graph of PASS_ORDER) {
        const request = {
          backend,
          graphUrl: ctx.fixtureUrl(`${name}/${bundle.manifest.model.file}`),
          externalData: [{ path: bundle.manifest.weights.file, url: ctx.fixtureUrl(`${name}/${bundle.manifest.weights.file}`) }],
          feeds: reference[graph].feeds,
          outputs: reference[graph].outputs,
          int4: bundle.manifest.quantization.tensors.q4 > 0,
        };
        const label = `${name} ${graph} on ${backend}`;
        const result = await page.evaluate((req) => window.runGraph(req), request).catch((e) => {
          throw new Error(`${label}: ${e.message}`);
        });
        // q4 models asked for on WebGPU run on WebAssembly (onnxruntime-web's WebGPU provider computes them wrongly).
        const expectedBackend = backend === 'webgpu' && request.int4 ? 'wasm' : backend;
        assert.equal(result.backend, expectedBackend, `${label}: the session ran on ${result.backend} (${result.detail})`);
        if (expectedBackend === 'webgpu') assert.match(result.detail, /^WebGPU \(/, `${label}: ${result.detail}`);
        else if (backend === 'webgpu') assert.match(result.detail, /WebGPU not used: q4 \(int4\) weights run on WebAssembly/, `${label}: ${result.detail}`);
        else assert.match(result.detail, /^WebAssembly, \d threads?$/, `${label}: ${result.detail}`);
        createMs += result.timings.createMs;
        runMs += result.timings.runMs[0];
        const expected = reference[graph].expected;
        result.outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, t]) => [k.slice(graph.length + 1), t]));
        assert.deepEqual(Object.keys(result.outputs).sort(), Object.keys(expected).sort(), `${label}: output names`);
        const diffs = [];
        for (const [output, exp] of Object.entries(expected)) {
          const { worst, tol, scale, relative } = compare(graph, `${label} ${output}`, result.outputs[output], exp);
          const shown = relative ? `${output} ${(worst / scale).toExponential(1)} rel` : `${output} ${worst.toExponential(1)}`;
          diffs.push(shown);
          if (!(worst <= tol)) {
            failures.push(`${label} ${output}: max |web − node| ${worst.toExponential(3)} > ${tol.toExponential(3)} (max |node| ${scale.toExponential(3)})`);
          }
        }
        parts.push(`${graph}: ${diffs.join(', ')}`);
      }
      ctx.log(`${name} on ${backend} (create ${createMs.toFixed(0)} ms, run ${runMs.toFixed(0)} ms) — ${parts.join('; ')}`);
    }
  }
  // Shape ops run on ORT's CPU provider by design; its per-session warning about it (5 sessions here before
  // the runtime set logSeverityLevel 3) must not reach the console.
  assert.equal(placement.sessions, 0, `ORT warned for ${placement.sessions} session(s) that some nodes were placed on its CPU provider`);
  assert.deepEqual(failures, [], `outputs differ from onnxruntime-node:\n${failures.join('\n')}`);
}

export async function gpt2NoneQ8Q4MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[0]);
}

export async function llamaGqaLlama3RopeNoneQ4MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[1]);
}

export async function qwen2GqaNoneQ8MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[2]);
}

export async function qwen3QkNormNoneQ8MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[3]);
}

export async function mistralSlidingWindowNoneMatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[4]);
}

export async function gptNeoxPythiaNoneQ4MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[5]);
}

export async function gemma2SoftcapNoneMatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[6]);
}

export async function gemma3LocalRopeNoneQ8MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[7]);
}

export async function phi3LongRopeNoneQ8MatchNode(ctx) {
  await familyMatchesNode(ctx, CASES[8]);
}
