// The web app end to end, in real Chromium: attribution on WebAssembly and on WebGPU must equal the
// `heta attribute --json` CLI on the same bundle, seed and m; inspector, β recombination without a
// worker run, figure and JSON downloads, layer graph, cancel, shared links and error messages.
//
// Bundle: the demo model (models/demo/bundle) when it exists, else a random tiny Llama converted here
// (E2E_APP_BUNDLE=tiny forces the tiny one).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_PREFIX } from './lib/fixturesPlugin.mjs';
import { settleRun } from './lib/runControls.mjs';

export const timeout = 420_000;

const run = promisify(execFile);
const REL = 1e-4;
/**
 * S and the score: S is a finite difference of gradients ((∇g(X+εv) − ∇g(X−εv)) / 2ε), so float32
 * rounding that differs between the browser's kernels and onnxruntime-node's is divided by ε. On the
 * 5.5M-parameter demo model S agrees to ~2e-4 on WebAssembly and ~1.5e-4 on WebGPU; M and I to 1e-4.
 */
const FD_REL = 1e-3;
const SCREENSHOT_PROMPT =
  'Nora Okafor keeps a brass lantern in the attic. Her brother Tom fixes old bicycles in Millbrook.\nQuestion: What does Nora keep in the attic?\nAnswer: a brass';
const PROMPT = 'The old captain looked at the sea and said';
const GPU_PROMPT = 'The cat sat';

let bundlePromise = null;

/** { dir, url } of the bundle every test uses (built once per run when the demo bundle is missing). */
function bundle(ctx) {
  bundlePromise ??= (async () => {
    const demo = join(ctx.repoRoot, 'models/demo/bundle');
    if (existsSync(join(demo, 'heta.json')) && process.env.E2E_APP_BUNDLE !== 'tiny') return { dir: demo, url: '/models/demo/bundle/', demo: true };
    const root = join(ctx.repoRoot, 'e2e/.fixtures');
    const ckpt = join(root, 'tiny-checkpoint');
    const dir = join(root, 'tiny-bundle');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const { makeTinyCheckpoint } = await import('../src/testing/tinyCheckpoint.ts');
    const { writeFilesTo } = await import('../src/testing/writeFiles.ts');
    await writeFilesTo(ckpt, makeTinyCheckpoint({ family: 'llama', gqa: true }));
    await heta(ctx, ['convert', ckpt, dir, '--quant', 'q8']);
    return { dir, url: `${FIXTURE_PREFIX}tiny-bundle/`, demo: false };
  })();
  return bundlePromise;
}

async function heta(ctx, args) {
  try {
    return await run(process.execPath, [join(ctx.repoRoot, 'bin/heta.mjs'), ...args], { cwd: ctx.repoRoot, maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`heta ${args[0]} failed: ${e.stderr || e.message}`);
  }
}

/** The CLI's result for the same bundle, prompt, seed and m (next-token target unless given). */
async function cliResult(ctx, { dir }, prompt, { m, seed, extra = [] }) {
  const out = join(ctx.fixturesDir, `cli-${Date.now()}.json`);
  await heta(ctx, ['attribute', '--model', dir, '--prompt', prompt, '--m', String(m), '--seed', String(seed), '--json', out, ...extra]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

function assertClose(actual, expected, what, rel = REL) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * Math.max(Math.abs(expected[i]), 1e-3 * scale);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol.toExponential(2)})`);
  }
}

/** Largest |a − b| / |b| (b floored at 1e-3 of the largest |b|). */
function maxRelative(actual, expected) {
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...expected.map((b, i) => Math.abs(actual[i] - b) / Math.max(Math.abs(b), 1e-3 * scale)));
}

/** Per component, the largest relative difference between the heatmap and the CLI. */
async function componentDifferences(page, cli) {
  const out = {};
  for (const key of ['M', 'S', 'I', 'score']) {
    await page.click(`[data-testid=component-${key}]`);
    const values = (await heatmapValues(page)).map(([, v]) => v);
    out[key] = maxRelative(values, key === 'score' ? cli.scores : cli.components[key]).toExponential(1);
  }
  await page.click('[data-testid=component-score]');
  return out;
}

function linkFor({ url }, backend, extra = '') {
  return `/#model=${encodeURIComponent(url)}&backend=${backend}${extra}`;
}

let warmUp = null;

/**
 * Loads the app and its worker once per run: on a cold dependency cache, Vite discovers the worker's
 * dependencies only when the worker loads, optimizes them and reloads the page, which would wipe a test's state.
 */
function warm(ctx, b) {
  warmUp ??= (async () => {
    const page = await ctx.openPage(linkFor(b, 'wasm'));
    await page.waitForSelector('[data-testid=model-backend]', { timeout: 180_000 });
    await page.waitForTimeout(2000);
    await page.close();
  })();
  return warmUp;
}

async function openApp(ctx, path, backend) {
  await warm(ctx, await bundle(ctx));
  const page = await ctx.openPage(path);
  await page.setViewportSize({ width: 1280, height: 800 });
  if (backend) {
    await page.waitForSelector(`[data-testid=model-backend][data-backend=${backend}]`, { timeout: 180_000 });
  }
  return page;
}

async function runPrompt(page, prompt, { m, seed }) {
  await page.fill('[data-testid=m-input]', String(m));
  await page.fill('[data-testid=seed-input]', String(seed));
  await page.fill('[data-testid=prompt-input]', prompt);
  await page.click('[data-testid=run-button]');
  await waitDone(page);
}

async function waitDone(page, ms = 300_000) {
  await settleRun(page, ms);
  const error = await page.locator('[data-testid=run-error]').textContent().catch(() => null);
  assert.equal(error, null, `the run failed: ${error}`);
}

/** [position, value] of every context token in the heatmap. */
function heatmapValues(page) {
  return page.$$eval('[data-testid=heatmap] [data-testid=token][data-value]', (els) => els.map((e) => [Number(e.dataset.pos), Number(e.dataset.value)]));
}

async function assertHeatmapEquals(page, expected, what, rel = REL) {
  const cells = await heatmapValues(page);
  assert.deepEqual(
    cells.map(([p]) => p),
    expected.map((_, i) => i),
    `${what}: one heatmap token per context position`,
  );
  assertClose(
    cells.map(([, v]) => v),
    expected,
    what,
    rel,
  );
}

async function workerRuns(page) {
  return Number(await page.getAttribute('[data-testid=app]', 'data-worker-runs'));
}

async function download(page, testId) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click(`[data-testid=${testId}]`)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Parses the SVG in the page; returns its root name, parse errors and text. */
function parseSvg(page, text) {
  return page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    return { root: doc.documentElement.nodeName, errors: doc.getElementsByTagName('parsererror').length, text: doc.documentElement.textContent, width: doc.documentElement.getAttribute('width') };
  }, text);
}

async function checkInspector(page, cli, position, rel = REL) {
  await page.click(`[data-testid=heatmap] [data-testid=token][data-pos="${position}"]`);
  await page.waitForSelector(`[data-testid=inspector][data-position="${position}"] [data-testid=inspector-M]`);
  const read = (id) => page.getAttribute(`[data-testid=inspector-${id}]`, 'data-value').then(Number);
  const c = cli.components;
  assertClose([await read('M'), await read('S'), await read('I'), await read('score')], [c.M[position], c.S[position], c.I[position], cli.scores[position]], `inspector at ${position}`, rel);
  const rank = [...cli.scores].sort((a, b) => b - a).indexOf(cli.scores[position]) + 1;
  assert.equal(await read('rank'), rank, 'inspector rank');
  assert.equal(await page.locator('[data-testid=inspector-layers] rect.bar').count(), c.M_layers.length, 'one bar per layer');
  assert.equal(await page.locator('[data-testid=inspector-probes] circle.probe').count(), cli.params.m, 'one dot per probe');
}

// ------------------------------------------------------------------ tests

export async function wasmAttributionMatchesCli(ctx) {
  const b = await bundle(ctx);
  const params = { m: 3, seed: 1 };
  const cli = await cliResult(ctx, b, PROMPT, params);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  assert.match(await page.textContent('[data-testid=model-backend-detail]'), /WebAssembly/);
  await runPrompt(page, PROMPT, params);
  ctx.log('largest relative difference to the CLI:', await componentDifferences(page, cli));
  await assertHeatmapEquals(page, cli.scores, 'wasm scores vs CLI', FD_REL);
  assert.equal(await page.getAttribute('[data-testid=target-token]', 'title'), `Predicted next token “${cli.target.text.replaceAll(' ', '␣').replaceAll('\n', '↵')}”: the target`);

  // Each component view equals the CLI's component.
  for (const key of ['M', 'S', 'I']) {
    await page.click(`[data-testid=component-${key}]`);
    await assertHeatmapEquals(page, cli.components[key], `${key} vs CLI`, key === 'S' ? FD_REL : REL);
  }
  await page.click('[data-testid=component-score]');

  // Inspector numbers.
  const strongest = cli.scores.indexOf(Math.max(...cli.scores.slice(0, -1)));
  await checkInspector(page, cli, strongest, FD_REL);

  // The layer graph draws the flow edges at or above its threshold.
  const threshold = Number(await page.getAttribute('[data-testid=edge-count]', 'data-threshold'));
  const expectedEdges = cli.components.flow.filter((e) => e.weight >= threshold).length;
  assert.ok(expectedEdges > 0);
  assert.equal(await page.locator('[data-testid=layer-graph] path.edge').count(), expectedEdges, 'graph edges above the threshold');
  await page.hover(`[data-testid=layer-graph] [data-token="${strongest}"] rect.token-hit`);
  assert.ok((await page.locator('[data-testid=layer-graph] path.edge-highlight').count()) > 0, 'hovering a token highlights its paths');
  await page.mouse.move(5, 5);

  // β recombines from the cached components: no new worker run.
  const runsBefore = await workerRuns(page);
  await page.fill('[data-testid=beta-slider-number]', '1.5');
  const { M, S, I } = cli.components;
  await assertHeatmapEquals(
    page,
    M.map((m, i) => m * (1.5 * S[i] + 0.5 * I[i])),
    'scores after β = 1.5',
    FD_REL,
  );
  assert.equal(await workerRuns(page), runsBefore, 'changing β must not start a worker run');
  // S and I each normalized over the context: γ now matters; also recombined without a run.
  await page.selectOption('[data-testid=scaling-select]', 'normalized');
  const sumS = S.reduce((a, v) => a + v, 0);
  const sumI = I.reduce((a, v) => a + v, 0);
  await assertHeatmapEquals(page, M.map((m, i) => m * ((1.5 * S[i]) / sumS + (0.5 * I[i]) / sumI)), 'normalized scores after β = 1.5', FD_REL);
  assert.match(await page.textContent('[data-testid=formula]'), /ΣS/);
  assert.equal(await workerRuns(page), runsBefore, 'changing the scaling must not start a worker run');
  await page.selectOption('[data-testid=scaling-select]', 'raw');
  assertClose([Number(await page.getAttribute('[data-testid=inspector-score]', 'data-value'))], [M[strongest] * (1.5 * S[strongest] + 0.5 * I[strongest])], 'inspector score after β = 1.5', FD_REL);

  // Downloads: PNG at 2× the on-screen size, SVG with its caption, the full JSON.
  const heatmapBox = await page.locator('[data-testid=heatmap]').boundingBox();
  const png = await download(page, 'export-heatmap-png');
  assert.equal(png.name, 'heta-heatmap.png');
  assert.equal(pngSize(png.bytes).width, 2 * Math.round(heatmapBox.width), 'heatmap PNG is 2× the on-screen width');
  const svg = await download(page, 'export-heatmap-svg');
  const parsed = await parseSvg(page, svg.bytes.toString('utf8'));
  assert.equal(parsed.errors, 0, 'heatmap SVG parses');
  assert.equal(parsed.root, 'svg');
  assert.match(parsed.text, /HETA Final score/);
  assert.ok(parsed.text.includes(`Model ${cli.model.id}`), 'the caption names the model');
  assert.match(parsed.text, /β = 1\.5, γ = 0\.5; S from Rademacher probes \(m = 3; seed 1, central differences\)/);

  const graphBox = await page.locator('[data-testid=layer-graph] svg').boundingBox();
  const graphPng = await download(page, 'export-graph-png');
  assert.equal(pngSize(graphPng.bytes).width, 2 * Math.round(graphBox.width), 'graph PNG is 2× the on-screen width');
  const graphSvg = await parseSvg(page, (await download(page, 'export-graph-svg')).bytes.toString('utf8'));
  assert.equal(graphSvg.errors, 0);
  assert.match(graphSvg.text, /HETA attention-flow graph/);

  const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
  assert.equal(json.schema, 'heta-attribution');
  assertClose(json.scores, cli.scores, 'downloaded JSON scores vs CLI', FD_REL);
  assert.equal(json.target.id, cli.target.id);

  // A copied link restores the same view (and runs it).
  await page.click('[data-testid=copy-link]');
  const url = await page.inputValue('[data-testid=share-link]');
  assert.match(url, /prompt=/);
  assert.match(url, /beta=1\.5/);
  const restored = await openApp(ctx, url, 'wasm');
  await waitDone(restored);
  assert.equal(await restored.inputValue('[data-testid=prompt-input]'), PROMPT);
  assert.equal(await restored.inputValue('[data-testid=beta-slider-number]'), '1.5');
  assert.equal(await restored.inputValue('[data-testid=m-input]'), '3');
  assert.equal(await restored.getAttribute('[data-testid=inspector]', 'data-position'), String(strongest), 'the inspected token comes back');
  await assertHeatmapEquals(
    restored,
    (await heatmapValues(page)).map(([, v]) => v),
    'restored view',
  );
}

export async function adaptiveAttributionMatchesCli(ctx) {
  // "Faster (adaptive)" runs the same adaptive probing as `heta attribute --adaptive`: the same scores, and the
  // inspector shows the probes each token used (fewer than m for tokens that stopped early).
  const b = await bundle(ctx);
  const params = { m: 6, seed: 2 };
  const cli = await cliResult(ctx, b, PROMPT, { ...params, extra: ['--adaptive'] });
  const counts = cli.sensitivity.probesPerToken;
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await page.check('[data-testid=adaptive-toggle]');
  await runPrompt(page, PROMPT, params);
  // Every token stopped after the same number of probes as in Node (a different decision would move its S by
  // percents: one probe's norm spreads by 17–42% of S on the demo model).
  for (const [position, count] of counts.entries()) {
    await page.click(`[data-testid=heatmap] [data-testid=token][data-pos="${position}"]`);
    await page.waitForSelector(`[data-testid=inspector][data-position="${position}"] [data-testid=inspector-probe-count]`);
    assert.equal(Number(await page.getAttribute('[data-testid=inspector-probe-count]', 'data-value')), count, `probes of token ${position}`);
    assert.equal(await page.locator('[data-testid=inspector-probes] circle.probe').count(), count, 'one dot per probe used');
  }
  assert.ok(Math.min(...counts) < params.m, 'some token stopped early');
  // With the same probes, WebAssembly and Node differ by float32 rounding: 2.0e-4 relative measured here (m = 6, seed 2).
  await assertHeatmapEquals(page, cli.scores, 'adaptive wasm scores vs CLI --adaptive', FD_REL);
  ctx.log(`probes per token ${counts.join(' ')} (m = ${params.m})`);
}

export async function wasmInTextTargetAndScreenshot(ctx) {
  const b = await bundle(ctx);
  const params = { m: 3, seed: 0 };
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  // An in-text target by double-click, checked against the CLI's --target-pos.
  await runPrompt(page, PROMPT, params);
  const target = 4;
  const cli = await cliResult(ctx, b, PROMPT, { ...params, extra: ['--target-pos', String(target)] });
  await page.dblclick(`[data-testid=heatmap] [data-testid=token][data-pos="${target}"]`);
  await page.waitForSelector(`[data-testid=heatmap] [data-testid=target-token][data-pos="${target}"]`, { timeout: 120_000 });
  await waitDone(page);
  await assertHeatmapEquals(page, cli.scores, 'in-text target vs CLI --target-pos', FD_REL);
  assert.equal(await page.locator('[data-testid=heatmap] .tok-after').count(), cli.tokens.length - target - 1, 'tokens after the target are outside the context');

  // The README screenshot: a real attribution, a token inspected.
  // (The tiny fixture model reads only 64 tokens of its byte-level vocabulary.)
  await runPrompt(page, b.demo ? SCREENSHOT_PROMPT : PROMPT, params);
  const scores = (await heatmapValues(page)).map(([, v]) => v);
  const best = scores.indexOf(Math.max(...scores.slice(0, -1)));
  await page.click(`[data-testid=heatmap] [data-testid=token][data-pos="${best}"]`);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  mkdirSync(join(ctx.repoRoot, 'e2e/screenshots'), { recursive: true });
  await page.screenshot({ path: join(ctx.repoRoot, 'e2e/screenshots/app.png') });
  ctx.log(`screenshot e2e/screenshots/app.png (${scores.length} context tokens)`);
}

export async function webgpuAttributionMatchesCli(ctx) {
  const b = await bundle(ctx);
  const params = { m: 1, seed: 3 };
  const cli = await cliResult(ctx, b, GPU_PROMPT, params);
  await warm(ctx, b);
  const page = await ctx.openPage(linkFor(b, 'webgpu'));
  // onnxruntime's per-node placement warnings ("VerifyEachNodeIsAssignedToAnEp") must not reach the console.
  const ortWarnings = [];
  page.on('console', (msg) => {
    if (/\[W:onnxruntime|VerifyEachNodeIsAssignedToAnEp|Some nodes were not assigned/.test(msg.text())) ortWarnings.push(msg.text());
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForSelector('[data-testid=model-backend][data-backend=webgpu]', { timeout: 180_000 });
  const detail = await page.textContent('[data-testid=model-backend-detail]');
  ctx.log(detail);
  assert.match(detail, /WebGPU/);
  const started = Date.now();
  await runPrompt(page, GPU_PROMPT, params);
  ctx.log(`attribution on WebGPU (SwiftShader): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  ctx.log('largest relative difference to the CLI:', await componentDifferences(page, cli));
  // M and I agree with onnxruntime-node to ~1e-7. S is a finite difference of gradients
  // ((∇g(X+εv) − ∇g(X−εv)) / 2ε): float32 rounding that differs between the GPU kernels and the
  // CPU ones is divided by ε, so S (and the score) agree to ~1.5e-4 here, not 1e-4.
  for (const key of ['M', 'I']) {
    await page.click(`[data-testid=component-${key}]`);
    await assertHeatmapEquals(page, cli.components[key], `webgpu ${key} vs CLI`);
  }
  await page.click('[data-testid=component-score]');
  await assertHeatmapEquals(page, cli.scores, 'webgpu scores vs CLI', FD_REL);
  await checkInspector(page, cli, 1, FD_REL);
  assert.deepEqual(ortWarnings, [], 'onnxruntime warnings in the console');
}

export async function cancelStopsTheWork(ctx) {
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  // m = 60: S comes token by token (60 probes each), and the engine checks for cancellation after every pass.
  await page.fill('[data-testid=m-input]', '60');
  await page.fill('[data-testid=prompt-input]', PROMPT);
  await page.click('[data-testid=run-button]');
  if ((await (await page.waitForSelector('[data-testid=partial-badge], [data-testid=long-run-confirm]', { timeout: 120_000 })).getAttribute('data-testid')) === 'long-run-confirm') {
    await page.click('[data-testid=long-run-go]');
  }
  await page.waitForSelector('[data-testid=partial-badge]', { timeout: 120_000 });
  await page.click('[data-testid=cancel-button]');
  const clicked = Date.now();
  await page.waitForSelector('[data-testid=run-status][data-state=cancelled]', { timeout: 60_000 });
  ctx.log(`cancelled after ${((Date.now() - clicked) / 1000).toFixed(1)} s`);
  const badge = await page.textContent('[data-testid=partial-badge]');
  assert.match(badge, /Cancelled: partial result · S for \d+ of \d+ tokens/);
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('[data-testid=partial-badge]'), badge, 'no more progress after cancel');
  assert.equal(await page.locator('[data-testid=run-progress]').count(), 0);
  // The worker is free again: a short run completes.
  await runPrompt(page, 'The sea', { m: 1, seed: 0 });
}

/** Generate N tokens and explain each: the matrix equals `heta attribute --generate N`, a row opens in the heatmap, cancel stops it. */
export async function generationMatrixMatchesCli(ctx) {
  const b = await bundle(ctx);
  const params = { m: 2, seed: 0 };
  const steps = 3;
  const out = join(ctx.fixturesDir, `cli-generate-${Date.now()}.json`);
  await heta(ctx, ['attribute', '--model', b.dir, '--prompt', PROMPT, '--generate', String(steps), '--m', '2', '--seed', '0', '--json', out]);
  const cli = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(cli.rows.length, steps);
  assert.equal(cli.continuation.target.kind, 'span', 'the CLI explains the whole continuation too');
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await page.fill('[data-testid=m-input]', String(params.m));
  await page.fill('[data-testid=seed-input]', String(params.seed));
  await page.fill('[data-testid=prompt-input]', PROMPT);
  await page.fill('[data-testid=generate-steps]', String(steps));
  await page.click('[data-testid=generate-button]');
  await page.waitForSelector('[data-testid=generation-panel][data-state=done], [data-testid=generation-error]', { timeout: 300_000 });
  assert.equal(await page.locator('[data-testid=generation-error]').count(), 0, 'generation failed');
  assert.equal(await page.textContent('[data-testid=generated-text]'), cli.text, 'same greedy continuation as the CLI');

  // Raw final scores, row by row, equal the CLI's rows.
  await page.uncheck('[data-testid=row-normalize]');
  const rows = await page.$$eval('[data-testid=generation-matrix] .matrix-row', (els) =>
    els.map((row) => [...row.querySelectorAll('.matrix-cell')].map((c) => Number(c.getAttribute('data-value')))),
  );
  assert.equal(rows.length, steps + 1, 'one matrix row per generated token, then the whole continuation');
  rows.forEach((values, k) => assertClose(values, k < steps ? cli.rows[k].scores : cli.continuation.scores, `matrix row ${k} vs CLI`, FD_REL));
  assert.equal(await page.locator('[data-testid=generation-matrix] .matrix-col-label.generated').count(), steps - 1, 'generated tokens are sources of later rows');

  // A copied link brings the generation back: the restored page runs the prompt, then regenerates.
  await page.click('[data-testid=copy-link]');
  const url = await page.inputValue('[data-testid=share-link]');
  assert.match(url, new RegExp(`gen=${steps}`));
  const restored = await openApp(ctx, url, 'wasm');
  await restored.waitForSelector('[data-testid=generation-panel][data-state=done]', { timeout: 300_000 });
  assert.equal(await restored.textContent('[data-testid=generated-text]'), cli.text, 'restored generation');
  await restored.close();

  // Clicking a row label opens it in the heatmap, with its token as the in-text target.
  await page.click('[data-testid=generation-matrix] .matrix-row-label[data-row="2"]');
  await assertHeatmapEquals(page, cli.rows[2].scores, 'heatmap of matrix row 2', FD_REL);
  assert.match(await page.textContent('[data-testid=target-current]'), new RegExp(`position ${cli.generated[2]}`));
  assert.equal(await page.getAttribute('[data-testid=generation-matrix] .matrix-row-label.selected', 'data-row'), '2');
  // Showing the row put the generated text in the prompt box: the page says so, and Compare names the row's target.
  assert.match(await page.textContent('[data-testid=replaced-prompt]'), /Showing generated row 3: “/);
  assert.match(await page.textContent('[data-testid=compare-target]'), new RegExp(`at position ${cli.generated[2]}, the target of the shown result \\(generated row 3`));
  assert.notEqual(await page.inputValue('[data-testid=prompt-input]'), PROMPT);

  // The README picture of the matrix (rows scaled to their maximum, as by default).
  await page.check('[data-testid=row-normalize]');
  mkdirSync(join(ctx.repoRoot, 'e2e/screenshots'), { recursive: true });
  await page.locator('[data-testid=generation-panel]').screenshot({ path: join(ctx.repoRoot, 'e2e/screenshots/generation.png') });

  // The exported figure carries its caption.
  const svg = await download(page, 'export-matrix-svg');
  const parsed = await parseSvg(page, svg.bytes.toString('utf8'));
  assert.equal(parsed.errors, 0);
  assert.match(parsed.text, /3 greedily generated tokens/);

  // The user's prompt comes back on request.
  await page.click('[data-testid=restore-prompt]');
  assert.equal(await page.inputValue('[data-testid=prompt-input]'), PROMPT);
  assert.equal(await page.locator('[data-testid=replaced-prompt]').count(), 0);

  // Cancel: a longer generation stops after its current row and keeps the rows done.
  await page.fill('[data-testid=generate-steps]', '12');
  await page.click('[data-testid=generate-button]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=generation-matrix]')?.getAttribute('data-rows-done')) >= 1, null, { timeout: 120_000 });
  await page.click('[data-testid=generate-cancel]');
  await page.waitForSelector('[data-testid=generation-panel][data-state=cancelled]', { timeout: 60_000 });
  const done = Number(await page.getAttribute('[data-testid=generation-matrix]', 'data-rows-done'));
  assert.ok(done >= 1 && done < 12, `rows done when cancelled: ${done}`);
  assert.match(await page.textContent('[data-testid=generation-status]'), new RegExp(`Cancelled after ${done} of 13 rows`));
}

export async function clearMessages(ctx) {
  const b = await bundle(ctx);
  // A model that cannot load: a banner, and the app stays usable.
  const page = await openApp(ctx, '/#model=/nonexistent/&backend=wasm');
  await page.waitForSelector('[data-testid=error-banner]', { timeout: 60_000 });
  const banner = await page.textContent('[data-testid=error-banner-text]');
  ctx.log(banner);
  assert.match(banner, /Could not load the model from \/nonexistent\//);
  await page.fill('[data-testid=prompt-input]', 'Hello there');
  await page.click('[data-testid=run-button]');
  assert.match(await page.textContent('[data-testid=run-error]'), /No model is loaded/);
  // Recover: load the real bundle from the model card.
  await page.fill('[data-testid=model-url]', b.url);
  await page.click('[data-testid=model-load]');
  await page.waitForSelector('[data-testid=model-backend][data-backend=wasm]', { timeout: 120_000 });
  assert.equal(await page.locator('[data-testid=error-banner]').count(), 0);

  // Empty prompt.
  await page.fill('[data-testid=prompt-input]', '   ');
  await page.click('[data-testid=run-button]');
  assert.match(await page.textContent('[data-testid=run-error]'), /The prompt is empty/);

  // Longer than the model's context.
  const maxPositions = JSON.parse(readFileSync(join(b.dir, 'heta.json'), 'utf8')).config.maxPositions;
  await page.fill('[data-testid=prompt-input]', Array.from({ length: maxPositions + 10 }, (_, i) => `w${i}`).join(' '));
  await page.click('[data-testid=run-button]');
  await page.waitForSelector('[data-testid=run-error]');
  assert.match(await page.textContent('[data-testid=run-error]'), new RegExp(`The prompt is too long: \\d+ tokens, but .* reads at most ${maxPositions}`));

  // Keyboard: Tab reaches the tokens, Enter inspects.
  await runPrompt(page, 'The sea was', { m: 1, seed: 0 });
  await page.focus('[data-testid=heatmap] [data-testid=token][data-pos="1"]');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=inspector][data-position="2"] [data-testid=inspector-M]');
}

/** The example gallery: choosing an example fills the prompt, runs it and says what to look for. */
export async function exampleGalleryRuns(ctx) {
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm', '&m=1'), 'wasm');
  await page.click('[data-testid=examples-toggle]');
  assert.ok((await page.locator('[data-testid^=example-]').count()) >= 6, 'the gallery lists at least six examples');
  const example = 'indirect-object';
  await page.click(`[data-testid=example-${example}]`);
  await waitDone(page);
  const { EXAMPLES } = await import('../src/app/lib/examples.ts');
  const chosen = EXAMPLES.find((e) => e.id === example);
  assert.equal(await page.inputValue('[data-testid=prompt-input]'), chosen.prompt);
  assert.match(await page.textContent('[data-testid=example-note]'), new RegExp(chosen.title));
  assert.ok((await heatmapValues(page)).length > 5, 'the heatmap shows the example');
  if (b.demo) {
    // The demo model answers as the gallery says: its top chip is the answer.
    const chip = await page.locator('[data-testid=prediction-chip]').first().getAttribute('title');
    assert.match(chip, new RegExp(`predicts ${JSON.stringify(chosen.answer).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  }
  // Editing the prompt away from the example hides its note.
  await page.fill('[data-testid=prompt-input]', `${chosen.prompt} and`);
  assert.equal(await page.locator('[data-testid=example-note]').count(), 0);
}

export async function spanContrastAndGranularityMatchCli(ctx) {
  // Targets beyond one token, in the app on WebAssembly, each against `heta attribute` with the same settings:
  // a typed continuation (span), a contrast picked from the chips and one typed, and every granularity.
  const b = await bundle(ctx);
  const params = { m: 2, seed: 3 };
  const prompt = 'The old captain looked at the sea.\nHe said nothing.\n\nThe storm came';
  const continuation = ' over the water';
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await page.fill('[data-testid=m-input]', String(params.m));
  await page.fill('[data-testid=seed-input]', String(params.seed));
  await page.fill('[data-testid=prompt-input]', prompt);

  // Explain a continuation: its tokens follow the prompt as the (outlined) target, teacher-forced.
  const span = await cliResult(ctx, b, prompt, { ...params, extra: ['--continuation', continuation] });
  await page.fill('[data-testid=continuation-input]', continuation);
  await page.click('[data-testid=continuation-run]');
  await waitDone(page);
  await assertHeatmapEquals(page, span.scores, 'continuation scores vs CLI --continuation', FD_REL);
  assert.equal(await page.locator('[data-testid=heatmap] [data-testid=target-token]').count(), span.target.span.ids.length, 'every continuation token is outlined');
  const spanSvg = await parseSvg(page, (await download(page, 'export-heatmap-svg')).bytes.toString('utf8'));
  assert.ok(spanSvg.text.includes(`for typed continuation ${JSON.stringify(continuation)}`), 'the caption names the continuation');

  // Each granularity: the shown sums equal the CLI's segments; the export says how tokens were summed.
  for (const level of ['word', 'sentence', 'line', 'paragraph']) {
    const cli = await cliResult(ctx, b, prompt, { ...params, extra: ['--continuation', continuation, '--granularity', level] });
    await page.selectOption('[data-testid=granularity-select]', level);
    const cells = await heatmapValues(page);
    assert.deepEqual(
      cells.map(([p]) => p),
      cli.granularity.segments.map((s) => s.tokens[0]),
      `${level}: one cell per segment`,
    );
    assertClose(
      cells.map(([, v]) => v),
      cli.granularity.segments.map((s) => s.score),
      `${level} sums vs CLI --granularity`,
      FD_REL,
    );
    const svg = await parseSvg(page, (await download(page, 'export-heatmap-svg')).bytes.toString('utf8'));
    assert.ok(svg.text.includes(`summed per ${level}`), `${level}: the exported legend says how scores were summed`);
    const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
    assert.equal(json.granularity.level, level);
    ctx.log(`${level}: ${cells.length} segments`);
  }
  await page.selectOption('[data-testid=granularity-select]', 'token');

  // A contrast from the chips: "why the top prediction and not the second?" — signed evidence on a diverging scale.
  await page.fill('[data-testid=prompt-input]', prompt.replace('\n\nThe storm came', ' The storm'));
  await page.click('[data-testid=run-button]');
  await waitDone(page);
  // Double-click a token, then shift-double-click a later one: the span between them is the target.
  await page.dblclick('[data-testid=heatmap] [data-testid=token][data-pos="2"]');
  await page.waitForSelector('[data-testid=heatmap] [data-testid=target-token][data-pos="2"]', { timeout: 120_000 });
  await waitDone(page);
  await page.dblclick('[data-testid=heatmap] [data-testid=token][data-pos="4"]', { modifiers: ['Shift'] });
  await page.waitForSelector('[data-testid=heatmap] [data-testid=target-token][data-pos="4"]', { timeout: 120_000 });
  await waitDone(page);
  const inText = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
  assert.deepEqual([inText.target.kind, inText.target.position, inText.target.span.end, inText.scores.length], ['span', 2, 5, 2], 'shift-double-click explains tokens 2 … 4');
  await page.locator('[data-testid=prediction-chip]').first().click(); // back to the (top) next token
  await waitDone(page);
  const foilChip = page.locator('[data-testid=foil-chip]').first();
  const foilId = Number(await foilChip.getAttribute('data-token-id'));
  await foilChip.click();
  await waitDone(page);
  const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
  assert.equal(json.target.kind, 'contrast');
  assert.equal(json.target.foil.id, foilId);
  const contrast = await cliResult(ctx, b, json.prompt, { ...params, extra: ['--foil', json.target.foil.text] });
  assert.equal(contrast.target.foil.id, foilId, 'the CLI resolves the foil text to the same token');
  const shift = contrast.components.logOddsShift;
  await assertHeatmapEquals(page, contrast.scores.map((v, i) => (shift[i] < 0 ? -v : v)), 'signed contrast scores vs CLI --foil', FD_REL);
  assert.match(await page.textContent('[data-testid=contrast-note]'), /purple tokens favour the target, orange ones the alternative/);
  const svg = await parseSvg(page, (await download(page, 'export-heatmap-svg')).bytes.toString('utf8'));
  assert.ok(svg.text.includes(`${JSON.stringify(contrast.target.text)} rather than ${JSON.stringify(contrast.target.foil.text)}`), 'the caption says "t rather than t′"');
  assert.match(svg.text, /\+ favours .* − favours/);

  // A typed foil gives the same contrast as the CLI's --foil.
  await page.fill('[data-testid=foil-input]', json.target.foil.text);
  await page.click('[data-testid=foil-run]');
  await waitDone(page);
  await assertHeatmapEquals(page, contrast.scores.map((v, i) => (shift[i] < 0 ? -v : v)), 'typed foil vs CLI --foil', FD_REL);
  mkdirSync(join(ctx.repoRoot, 'e2e/screenshots'), { recursive: true });
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  await page.locator('.heatmap-panel').screenshot({ path: join(ctx.repoRoot, 'e2e/screenshots/contrast.png') });

  // The CLI's JSON opens in a fresh page as it is (no run): same signed heatmap, same target; a damaged file is named.
  const saved = join(ctx.fixturesDir, 'contrast.json');
  writeFileSync(saved, JSON.stringify(contrast));
  const viewer = await openApp(ctx, linkFor(b, 'wasm'));
  const runsBefore = await workerRuns(viewer);
  await viewer.setInputFiles('[data-testid=open-result]', saved);
  await viewer.waitForSelector('[data-testid=heatmap] [data-testid=token][data-value]');
  await assertHeatmapEquals(viewer, contrast.scores.map((v, i) => (shift[i] < 0 ? -v : v)), 'opened CLI result', REL);
  assert.match(await viewer.textContent('[data-testid=target-current]'), /rather than/);
  assert.equal(await workerRuns(viewer), runsBefore, 'opening a result runs nothing');
  const broken = join(ctx.fixturesDir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ ...contrast, scores: contrast.scores.map((v, i) => (i === 2 ? null : v)) }));
  await viewer.setInputFiles('[data-testid=open-result]', broken);
  assert.match(await viewer.textContent('[data-testid=open-result-error]'), /broken\.json is not a usable HETA result: scores\[2\] is null, not a finite number/);
}

export async function promptSurvivesReload(ctx) {
  // The prompt box is kept in this browser's localStorage across a reload; a link's prompt replaces it.
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm'));
  const typed = 'Nora keeps a brass lantern in the attic.\nWhat does Nora keep? A';
  await page.fill('[data-testid=prompt-input]', typed);
  await page.waitForFunction((t) => localStorage.getItem('heta-lens.prompt') === t, typed, { timeout: 10_000 });
  await page.reload();
  await page.waitForSelector('[data-testid=prompt-input]');
  assert.equal(await page.inputValue('[data-testid=prompt-input]'), typed, 'the prompt is back after a reload');
  await page.goto(`${new URL(page.url()).origin}/${linkFor(b, 'wasm', `&prompt=${encodeURIComponent('From the link')}`).slice(1)}`);
  await page.reload();
  await page.waitForSelector('[data-testid=prompt-input]');
  assert.equal(await page.inputValue('[data-testid=prompt-input]'), 'From the link', "a link's prompt wins over the saved one");
}

const LONG_PROMPT =
  'The old captain looked at the sea and said that the wind would turn before the morning came, and the crew, tired from three days of storms, listened without a word while the gulls circled above the mast and the light faded over the grey water.';

/** Sets a range input the way a drag does (React listens to the input event). */
function setRange(page, testId, value) {
  return page.locator(`[data-testid=${testId}]`).evaluate((el, v) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, String(v));
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** Whether the layer graph's target node lies inside the graph box's visible area. */
function targetNodeInView(page) {
  return page.evaluate(() => {
    const box = document.querySelector('[data-testid=layer-graph]').getBoundingClientRect();
    const node = document.querySelector('[data-testid=layer-graph] .target-node circle').getBoundingClientRect();
    return node.left >= box.left - 0.5 && node.right <= box.right + 0.5;
  });
}

/**
 * #16 (1, 5, 6): a long run asks first with its estimate; S then fills in token by token with the time left;
 * the rank colour scale spreads a long prompt's colours; the layer graph keeps its target in view at both
 * README sizes, and its threshold slider stays put while dragged. Takes the README screenshots.
 */
export async function longPromptStreamsWithTimeLeft(ctx) {
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await page.setViewportSize({ width: 1400, height: 900 });
  const before = await workerRuns(page);
  await page.fill('[data-testid=m-input]', '40');
  await page.fill('[data-testid=prompt-input]', LONG_PROMPT);
  const estimate = await (await page.waitForSelector('[data-testid=run-estimate]', { timeout: 30_000 })).textContent();
  assert.match(estimate, /^run ≈ (at most )?about \d+ (min|s)/);
  await page.click('[data-testid=run-button]');
  await page.waitForSelector('[data-testid=long-run-confirm]', { timeout: 30_000 });
  const question = await page.textContent('[data-testid=long-run-confirm]');
  ctx.log('asked:', question.slice(0, 160));
  assert.match(question, /This run will take about \d+ min/);
  assert.match(question, /fewer probes \(m = 40 now\)/);
  assert.match(question, /WebGPU/);
  await page.click('[data-testid=long-run-decline]');
  await page.waitForSelector('[data-testid=long-run-confirm]', { state: 'detached' });
  assert.equal(await workerRuns(page), before, 'declining runs nothing');

  // m = 3: S arrives token by token; the tokens still waiting are hatched and have no value.
  await page.fill('[data-testid=m-input]', '3');
  await page.click('[data-testid=run-button]');
  const seen = [];
  const p = (await page.textContent('[data-testid=token-count]')).match(/^(\d+)/)[1] - 0;
  for (const started = Date.now(); Date.now() - started < 240_000; ) {
    if (await page.locator('[data-testid=long-run-confirm]').count()) await page.click('[data-testid=long-run-go]');
    if (await page.locator('[data-testid=run-status][data-state=done]').count()) break;
    const pending = await page.locator('[data-testid=heatmap] [data-pending]').count();
    const left = await page.locator('[data-testid=run-progress-time-left]').textContent().catch(() => null);
    const badge = await page.locator('[data-testid=partial-badge]').textContent().catch(() => null);
    seen.push({ pending, left, badge });
    await page.waitForTimeout(300);
  }
  await waitDone(page, 10_000);
  const streaming = seen.filter((s) => s.pending > 0 && s.pending < p);
  ctx.log(`${p} tokens: ${seen.length} looks, ${streaming.length} with some tokens' S done and others pending; time left e.g. ${seen.find((s) => s.left)?.left}`);
  assert.ok(streaming.length >= 2, 'the heatmap fills in token by token');
  assert.ok(streaming.every((s, k) => k === 0 || s.pending <= streaming[k - 1].pending), 'pending tokens only ever get fewer');
  assert.match(streaming[0].badge, /^Partial · S for \d+ of \d+ tokens/);
  assert.ok(seen.some((s) => /^ · about \d+ (s|min)|under a second/.test(s.left ?? '')), 'the progress bar says how long is left');
  assert.equal(await page.locator('[data-testid=heatmap] [data-pending]').count(), 0, 'a finished result has no pending token');

  // Rank colours: a long prompt's tokens get many distinct shades (the linear scale lights only the last tokens).
  const fills = () => page.$$eval('[data-testid=heatmap] [data-testid=token][data-value]', (els) => new Set(els.map((e) => e.style.background)).size);
  await page.selectOption('[data-testid=scale-select]', 'linear');
  const linear = await fills();
  await page.selectOption('[data-testid=scale-select]', 'rank');
  const ranked = await fills();
  ctx.log(`distinct colours over ${p - 1} context tokens: linear ${linear}, rank ${ranked}`);
  assert.ok(ranked >= 0.9 * (p - 1), 'rank colours: every token its own shade');

  // The threshold slider keeps its place while dragged (its label has a fixed width).
  const sliderX = async () => (await page.locator('[data-testid=edge-threshold]').boundingBox()).x;
  const x0 = await sliderX();
  for (const v of [0.05, 0.5, 0.95, 0.2]) {
    await setRange(page, 'edge-threshold', v);
    assert.equal(await sliderX(), x0, `slider at ${v} stays at x = ${x0}`);
  }
  await setRange(page, 'edge-threshold', 0.2);

  // The README pictures, at both sizes; the graph fits and its target node is in view at both.
  const shots = join(ctx.repoRoot, 'e2e/screenshots');
  // Every control of the left column fits at both sizes (the continuation box's button was cut at 1024 px).
  mkdirSync(shots, { recursive: true });
  await page.selectOption('[data-testid=scale-select]', 'log');
  for (const [width, height] of [[1400, 900], [1024, 700]]) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(400);
    assert.ok(await targetNodeInView(page), `layer graph target in view at ${width}×${height}`);
    const cut = await page.evaluate(() => {
      const panel = document.querySelector('.target-panel').getBoundingClientRect();
      return [...document.querySelectorAll('.target-form button')].filter((b) => b.getBoundingClientRect().right > panel.right + 0.5).map((b) => b.textContent);
    });
    assert.deepEqual(cut, [], `target form buttons inside their panel at ${width}×${height}`);
    await page.screenshot({ path: join(shots, `app-${width}.png`) });
  }
  // Readable columns instead: the graph scrolls, to the target.
  await page.uncheck('[data-testid=graph-fit]');
  await page.waitForTimeout(300);
  const { scrollWidth, clientWidth } = await page.$eval('[data-testid=layer-graph]', (el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  assert.ok(scrollWidth > clientWidth, `unfitted, ${p} columns overflow the panel (${scrollWidth} > ${clientWidth})`);
  assert.ok(await targetNodeInView(page), 'scrolled so the target stays in view');
}

/** #16 (2): the Backend dropdown switches both ways at any time, and every run works, with a clean console. */
export async function backendSwitchesBothWays(ctx) {
  const b = await bundle(ctx);
  const params = { m: 1, seed: 3 };
  const cli = await cliResult(ctx, b, GPU_PROMPT, params);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  const console = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning' || /onnxruntime/.test(msg.text())) console.push(msg.text());
  });
  const runOn = async (backend) => {
    await page.selectOption('[data-testid=backend-select]', backend);
    await page.waitForSelector(`[data-testid=model-backend][data-backend=${backend}]`, { timeout: 180_000 });
    await runPrompt(page, GPU_PROMPT, params);
    await assertHeatmapEquals(page, cli.scores, `scores on ${backend} after switching`, FD_REL);
  };
  await runPrompt(page, GPU_PROMPT, params);
  await runOn('webgpu');
  await runOn('wasm');
  await runOn('webgpu');
  assert.deepEqual(console, [], 'console errors or onnxruntime messages');
}

/** #16 (7, 8): emoji, CJK and accents are drawn as readable, clickable characters; the onboarding details at 1024 px. */
export async function multibyteTextAndOnboarding(ctx) {
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await page.setViewportSize({ width: 1024, height: 700 });
  const prompt = 'Zoë ordered a café au lait ☕ in 東京 and smiled 😀 at the naïve waiter';
  await runPrompt(page, prompt, { m: 1, seed: 0 });
  const cells = await page.$$eval('[data-testid=heatmap] [data-testid=token]', (els) => els.map((e) => ({ text: e.textContent, pos: Number(e.dataset.pos), w: e.getBoundingClientRect().width })));
  const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8'));
  ctx.log(`${json.tokens.length} tokens drawn as ${cells.length} cells`);
  assert.ok(cells.length < json.tokens.length, 'byte fragments are merged into the characters they make');
  for (const c of cells) assert.ok(c.text.length > 0 && c.w > 3, `cell at ${c.pos} is readable: ${JSON.stringify(c)}`);
  const text = cells.map((c) => c.text).join('');
  for (const ch of ['☕', '東京', '😀', 'ë', 'é', 'ï']) assert.ok(text.includes(ch), `${ch} is drawn`);
  const emoji = cells.find((c) => c.text.includes('😀'));
  await page.click(`[data-testid=heatmap] [data-testid=token][data-pos="${emoji.pos}"]`);
  assert.equal(await page.getAttribute('[data-testid=inspector]', 'data-position'), String(emoji.pos), 'the emoji can be clicked and inspected');
  // The export keeps the true tokens: the fragments concatenate to the text.
  assert.ok(json.tokens.some((t) => t.start === t.end), 'the JSON keeps the byte-fragment tokens');

  // Onboarding: the tagline at 1024 px, the example gallery, readable header buttons, M per layer explained.
  assert.ok(await page.locator('.brand p').isVisible(), 'tagline visible at 1024 px');
  assert.ok(await page.locator('[data-testid=examples]').isVisible(), 'example gallery');
  const button = await page.$eval('[data-testid=model-load]', (el) => ({ color: getComputedStyle(el).color, background: getComputedStyle(el).backgroundColor }));
  assert.notEqual(button.color, button.background, `header buttons are readable: ${JSON.stringify(button)}`);
  assert.match(await page.textContent('[data-testid=inspector]'), /M per layer \(attention flow × value strength, before normalization\)/);
}

/**
 * #16 (9): an edited text shows its own tokens, so an earlier token can be picked as target on it; a link
 * keeps the inspected token, the colour scale and the graph threshold.
 */
export async function editedTextAndLinksKeepTheView(ctx) {
  const b = await bundle(ctx);
  const page = await openApp(ctx, linkFor(b, 'wasm'), 'wasm');
  await runPrompt(page, PROMPT, { m: 1, seed: 0 });
  const edited = `${PROMPT} that the storm was over and the`;
  await page.fill('[data-testid=prompt-input]', edited);
  await page.waitForFunction(
    () => {
      const n = document.querySelector('[data-testid=token-count]')?.textContent?.match(/^(\d+)/)?.[1];
      return n && document.querySelectorAll('[data-testid=heatmap] [data-testid=token]').length === Number(n);
    },
    null,
    { timeout: 30_000 },
  );
  await page.dblclick('[data-testid=heatmap] [data-testid=token][data-pos="12"]');
  await waitDone(page);
  assert.equal(await page.getAttribute('[data-testid=target-token]', 'data-pos'), '12', 'the token picked on the edited text is the target');
  assert.equal(await page.inputValue('[data-testid=prompt-input]'), edited);

  await page.click('[data-testid=heatmap] [data-testid=token][data-pos="3"]');
  await page.selectOption('[data-testid=scale-select]', 'rank');
  await setRange(page, 'edge-threshold', 0.4);
  const threshold = await page.getAttribute('[data-testid=edge-count]', 'data-threshold');
  await page.click('[data-testid=copy-link]');
  const url = await page.inputValue('[data-testid=share-link]');
  const restored = await openApp(ctx, url, 'wasm');
  await waitDone(restored);
  assert.equal(await restored.getAttribute('[data-testid=inspector]', 'data-position'), '3', 'inspected token kept');
  assert.equal(await restored.inputValue('[data-testid=scale-select]'), 'rank', 'colour scale kept');
  assert.equal(Number(await restored.getAttribute('[data-testid=edge-count]', 'data-threshold')), Number(threshold), 'graph threshold kept');
  await restored.close();
}
