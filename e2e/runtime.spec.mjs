// The runtime layer end to end: one tiny model (weights in an external file) run with
// onnxruntime-node and, through the harness worker, with onnxruntime-web on WebGPU (SwiftShader)
// and WebAssembly. Outputs must agree within 1e-5 and the reported backend must be the one asked.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeRuntime } from '../src/engine/runtime/nodeRuntime.ts';
import { readModelFiles } from '../src/engine/runtime/nodeFiles.ts';
import { fixturesPlugin } from './lib/fixturesPlugin.mjs';
import { WEIGHTS_FILE, graphBytes, reference, weightsBytes } from './lib/tinyModel.mjs';

export const timeout = 180_000;

const HARNESS = '/e2e/pages/ort-harness.html';
const TOL = 1e-5;

const X = [0.5, -1, 0.25, 2, -0.75, 0.1, 1.5, -0.2, 0.3, 0.3, -1.2, 0.9];
const IDS = [0, 2, 4];
const SHIFT = [0, 1, -1];
const JSON_FEEDS = {
  x: { type: 'float32', dims: [3, 4], data: X },
  ids: { type: 'int64', dims: [3], data: IDS },
  shift: { type: 'int32', dims: [3], data: SHIFT },
};

function writeFixtures(ctx) {
  writeFileSync(join(ctx.fixturesDir, 'tiny.onnx'), graphBytes());
  writeFileSync(join(ctx.fixturesDir, WEIGHTS_FILE), weightsBytes());
  // Valid-looking start (field 1 = ir_version) followed by garbage.
  writeFileSync(join(ctx.fixturesDir, 'corrupt.onnx'), new Uint8Array([0x08, 0x08, 0x12, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
}

async function nodeOutputs(ctx) {
  writeFixtures(ctx);
  const runtime = await createNodeRuntime({ threads: 1 });
  const files = await readModelFiles(join(ctx.fixturesDir, 'tiny.onnx'), [join(ctx.fixturesDir, WEIGHTS_FILE)]);
  const session = await runtime.createSession(files);
  try {
    const out = await session.run({
      x: { type: 'float32', dims: [3, 4], data: Float32Array.from(X) },
      ids: { type: 'int64', dims: [3], data: BigInt64Array.from(IDS, BigInt) },
      shift: { type: 'int32', dims: [3], data: Int32Array.from(SHIFT) },
    });
    return {
      y: { dims: out.y.dims, data: Array.from(out.y.data) },
      best: { dims: out.best.dims, data: Array.from(out.best.data, Number) },
      best32: { dims: out.best32.dims, data: Array.from(out.best32.data) },
    };
  } finally {
    await session.release();
  }
}

function assertClose(actual, expected, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= TOL, `${what}: max abs difference ${worst} > ${TOL}`);
}

function assertMatchesNode(result, node, label) {
  for (const name of ['y', 'best', 'best32']) {
    assert.ok(result.outputs[name], `${label}: output ${name} missing`);
    assert.deepEqual(result.outputs[name].dims, node[name].dims, `${label}: ${name} dims`);
  }
  assert.equal(result.outputs.y.type, 'float32');
  assert.equal(result.outputs.best.type, 'int64');
  assert.equal(result.outputs.best32.type, 'int32');
  assertClose(result.outputs.y.data, node.y.data, `${label} y vs node`);
  assert.deepEqual(result.outputs.best.data, node.best.data, `${label}: best (int64)`);
  assert.deepEqual(result.outputs.best32.data, node.best32.data, `${label}: best32 (int32)`);
}

async function openHarness(ctx) {
  const page = await ctx.openPage(HARNESS);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 });
  return page;
}

function runInPage(page, request) {
  return page.evaluate((req) => window.runGraph(req), request);
}

function tinyRequest(ctx, backend) {
  return {
    backend,
    graphUrl: ctx.fixtureUrl('tiny.onnx'),
    externalData: [{ path: WEIGHTS_FILE, url: ctx.fixtureUrl(WEIGHTS_FILE) }],
    feeds: JSON_FEEDS,
  };
}

export async function nodeMatchesReference(ctx) {
  const node = await nodeOutputs(ctx);
  const ref = reference(X, IDS, SHIFT);
  assertClose(node.y.data, ref.y, 'node y vs float64 reference');
  assert.deepEqual(node.best.data, ref.best);
  assert.deepEqual(node.best32.data, ref.best);
  assert.deepEqual(node.y.dims, [3, 8]);
}

export async function webgpuMatchesNode(ctx) {
  const node = await nodeOutputs(ctx);
  const page = await openHarness(ctx);
  const result = await runInPage(page, tinyRequest(ctx, 'webgpu'));
  ctx.log(`${result.detail}; create ${result.timings.createMs.toFixed(0)} ms, run ${result.timings.runMs[0].toFixed(0)} ms`);
  assert.equal(result.backend, 'webgpu', `expected webgpu, runtime says: ${result.detail}`);
  assert.match(result.detail, /^WebGPU \(.*swiftshader.*fallback adapter\)$/i);
  assertMatchesNode(result, node, 'webgpu');
}

export async function wasmMatchesNode(ctx) {
  const node = await nodeOutputs(ctx);
  const page = await openHarness(ctx);
  const env = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  assert.ok(env.isolated, 'the dev server must make the page cross-origin isolated (COOP/COEP headers)');
  const result = await runInPage(page, tinyRequest(ctx, 'wasm'));
  ctx.log(`${result.detail}; create ${result.timings.createMs.toFixed(0)} ms, run ${result.timings.runMs[0].toFixed(0)} ms`);
  assert.equal(result.backend, 'wasm');
  const threads = Math.min(2, env.cores);
  assert.equal(result.detail, `WebAssembly, ${threads} thread${threads === 1 ? '' : 's'}`);
  assertMatchesNode(result, node, 'wasm');
}

export async function autoSkipsSoftwareAdapter(ctx) {
  writeFixtures(ctx);
  const page = await openHarness(ctx);
  const result = await runInPage(page, tinyRequest(ctx, 'auto'));
  assert.equal(result.backend, 'wasm');
  assert.match(result.detail, /^WebAssembly, \d threads?; WebGPU not used: only a software fallback adapter \(.*swiftshader.*\)$/i);
}

export async function corruptGraphFailsClearly(ctx) {
  writeFixtures(ctx);
  const page = await openHarness(ctx);
  const attempt = (request) =>
    runInPage(page, request).then(
      (r) => {
        throw new Error(`expected a load error, got a result on ${r.backend}`);
      },
      // Playwright prefixes 'page.evaluate: Error: ' and appends the page-side stack.
      (e) => e.message.replace(/^page\.evaluate: Error: /, '').split('\n    at ')[0],
    );
  for (const backend of ['wasm', 'webgpu']) {
    const message = await attempt({ ...tinyRequest(ctx, backend), graphUrl: ctx.fixtureUrl('corrupt.onnx') });
    ctx.log(`${backend}: ${message}`);
    assert.match(message, new RegExp(`failed to load model 'corrupt\\.onnx' on ${backend}: .*protobuf parsing failed`, 'i'));
  }
  const missing = await attempt({ ...tinyRequest(ctx, 'wasm'), externalData: [] });
  ctx.log(`missing weights: ${missing}`);
  assert.match(missing, new RegExp(`failed to load model 'tiny\\.onnx' on wasm: .*${WEIGHTS_FILE.replaceAll('.', '\\.')}`));
  assert.match(missing, /external data files given: none/);
}

// In a production build, ORT's thread workers must load the ?url-imported .jsep.mjs, not the app
// chunk (else session creation hangs). Build the harness, serve it with `vite preview`, run on
// WebAssembly with 2 threads.
export async function wasmThreadsInProductionBuild(ctx) {
  const node = await nodeOutputs(ctx);
  const { build, preview } = await import('vite');
  const outDir = join(ctx.fixturesDir, 'build');
  const common = { root: ctx.repoRoot, configFile: join(ctx.repoRoot, 'vite.config.ts'), logLevel: 'warn' };
  await build({
    ...common,
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(ctx.repoRoot, 'e2e/pages/ort-harness.html') } },
  });
  const server = await preview({
    ...common,
    plugins: [fixturesPlugin()],
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  try {
    const { port } = server.httpServer.address();
    const page = await ctx.openPage(`http://127.0.0.1:${port}/e2e/pages/ort-harness.html`);
    await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const result = await Promise.race([
      runInPage(page, { ...tinyRequest(ctx, 'wasm'), numThreads: 2 }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ORT hung in the production build')), 60_000)),
    ]);
    ctx.log(`${result.detail} (${cores} cores); create ${result.timings.createMs.toFixed(0)} ms`);
    assert.equal(result.backend, 'wasm');
    assert.equal(result.detail, 'WebAssembly, 2 threads');
    assertMatchesNode(result, node, 'wasm (production build)');
  } finally {
    await server.close();
  }
}
