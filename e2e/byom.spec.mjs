// Bring your own model, end to end in Chromium: a local stand-in hub (e2e/lib/hubServer.mjs, another
// origin, with CORS) serves tiny random GPT-2, Llama (sharded) and Qwen2 checkpoints in the Hugging Face
// URL layout. The app downloads one by id, compiles it in its worker, attributes with it, and after a
// page reload loads it from browser storage with the hub blocked. A 404, a corrupt shard and an
// interrupted download each give a clear message and the app still loads and runs another model.
// Local folders (a checkpoint, and a prebuilt bundle) load through the folder picker.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCheckpoint } from '../src/engine/checkpoint/checkpoint.ts';
import { memorySource } from '../src/engine/checkpoint/memorySource.ts';
import { compileBundle } from '../src/engine/compiler/bundle.ts';
import { writeBundleDir } from '../src/node/bundleFiles.ts';
import { makeTinyCheckpoint } from '../src/testing/tinyCheckpoint.ts';
import { writeFilesTo } from '../src/testing/writeFiles.ts';
import { startHubServer } from './lib/hubServer.mjs';
import { approveDownload, settled } from './lib/modelCard.mjs';

export const timeout = 180_000;

const PROMPT = 'The fox';
const SECOND_SHARD = 'model-00002-of-00002.safetensors';

let hubPromise = null;

/** The stand-in hub, started once per run (the runner's exit stops it). */
function hub() {
  hubPromise ??= (async () => {
    const corrupt = makeTinyCheckpoint({ family: 'llama', sharded: true, seed: 35 });
    // An absurd safetensors header length: the shard arrives whole but is not a safetensors file.
    corrupt[SECOND_SHARD] = corrupt[SECOND_SHARD].slice();
    new DataView(corrupt[SECOND_SHARD].buffer).setBigUint64(0, 0xffffffffn, true);
    return startHubServer({
      'tiny/gpt2': { files: makeTinyCheckpoint({ family: 'gpt2', seed: 31 }) },
      'tiny/llama-sharded': { files: makeTinyCheckpoint({ family: 'llama', gqa: true, sharded: true, seed: 32 }) },
      'tiny/qwen2': { revision: 'v1', files: makeTinyCheckpoint({ family: 'qwen2', gqa: true, seed: 33 }) },
      'tiny/corrupt': { files: corrupt },
      'tiny/interrupted': { files: makeTinyCheckpoint({ family: 'gpt2', seed: 34 }), cut: ['model.safetensors'] },
      'tiny/slow': { files: makeTinyCheckpoint({ family: 'gpt2', seed: 37 }), slow: ['model.safetensors'] },
    });
  })();
  return hubPromise;
}

/**
 * The app with the stand-in hub as its saved hub address, opened on `model` (a model address for the
 * link) so that no time goes into loading the demo model first. A hub model not stored in the browser
 * waits for the user's consent (the stand-in is another origin): the prompt must name the stand-in, and
 * it is approved.
 */
async function openApp(ctx, model) {
  const server = await hub();
  // Any page of the app's origin will do to set its localStorage: a missing fixture is a tiny 404 page.
  const page = await ctx.openPage(ctx.fixtureUrl('no-such-file'));
  await page.evaluate((hubUrl) => localStorage.setItem('heta-lens.hub-settings', JSON.stringify({ hubUrl, quant: 'q8' })), server.url);
  await page.goto(new URL(`/#model=${encodeURIComponent(model)}&backend=wasm`, ctx.baseUrl).href);
  await page.setViewportSize({ width: 1400, height: 900 });
  if (model.startsWith('hf:')) await approveDownload(page, new URL(server.url).host);
  return page;
}

async function openPicker(page) {
  if (!(await page.$eval('[data-testid=byom]', (d) => d.open))) await page.click('[data-testid=byom-toggle]');
}

/** Types a model id (hub address under Advanced) and waits until the model is ready or failed. */
async function loadById(page, id, { hubUrl, revision = 'main', spec = `hf:${id}` }) {
  await openPicker(page);
  if (!(await page.$eval('[data-testid=byom-advanced]', (d) => d.open))) await page.click('[data-testid=byom-advanced] > summary');
  await page.fill('[data-testid=byom-hub-url]', hubUrl);
  await page.fill('[data-testid=byom-id]', id);
  await page.fill('[data-testid=byom-revision]', revision);
  await page.click('[data-testid=byom-load]');
  return settled(page, spec);
}

/** The model `hf:<name>` (or `spec`) has loaded; its card shows `name`. */
async function expectReady(page, name, spec = `hf:${name}`) {
  const { status, error } = await settled(page, spec);
  assert.equal(status, 'ready', `model ${name} did not load: ${error}`);
  assert.equal((await page.textContent('[data-testid=model-name]'))?.trim(), name);
}

/** Runs HETA with m = 2 on the prompt; the heatmap must show one finite value per context token. */
async function attribute(page) {
  await page.fill('[data-testid=m-input]', '2');
  await page.fill('[data-testid=prompt-input]', PROMPT);
  const runs = Number(await page.getAttribute('[data-testid=app]', 'data-worker-runs'));
  await page.click('[data-testid=run-button]');
  await page.waitForFunction(
    (before) =>
      Number(document.querySelector('[data-testid=app]').dataset.workerRuns) > before &&
      (document.querySelector('[data-testid=run-status][data-state=done]') || document.querySelector('[data-testid=run-error]')),
    runs,
    { timeout: 120_000 },
  );
  const error = await page.$eval('[data-testid=run-error]', (e) => e.textContent).catch(() => null);
  assert.equal(error, null, `the run failed: ${error}`);
  const values = await page.$$eval('[data-testid=heatmap] [data-testid=token][data-value]', (els) => els.map((e) => Number(e.dataset.value)));
  assert.ok(values.length >= 3 && values.every(Number.isFinite), `heatmap values: ${values}`);
  return values;
}

async function storedModels(page) {
  await openPicker(page);
  await page.waitForSelector('[data-testid=stored-models]');
  return page.$$eval('[data-testid=stored-model]', (els) =>
    els.map((e) => ({ spec: e.dataset.spec, size: e.querySelector('[data-testid=stored-size]')?.textContent ?? '' })),
  );
}

export async function downloadCompileAttributeThenLoadFromStorageOffline(ctx) {
  const server = await hub();
  const page = await openApp(ctx, 'hf:tiny/llama-sharded');
  await expectReady(page, 'tiny/llama-sharded');
  assert.match(await page.textContent('[data-testid=model-origin]'), /compiled in this browser and stored/);
  assert.match(await page.textContent('[data-testid=model-memory]'), /^Memory: needs about/);
  const files = server.requests.filter((r) => r.startsWith('GET /tiny/llama-sharded/')).map((r) => r.split('/').pop()).sort();
  assert.deepEqual(files, ['config.json', 'model-00001-of-00002.safetensors', SECOND_SHARD, 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json'].sort());
  const before = await attribute(page);
  ctx.log(`sharded Llama: ${server.requests.filter((r) => r.includes('/tiny/llama-sharded/')).length} hub requests (HEAD and GET), ${before.length} tokens attributed`);

  // The suggested real models, with sizes, a memory verdict and a time scaled from the run just made.
  await openPicker(page);
  const suggested = await page.$$eval('[data-testid=suggested-model]', (rows) => rows.map((r) => ({ verdict: r.dataset.verdict, cells: [...r.querySelectorAll('td')].map((td) => td.textContent.trim()) })));
  assert.deepEqual(suggested.map((r) => r.cells[0].split(' ')[0]), ['openai-community/gpt2', 'HuggingFaceTB/SmolLM2-135M', 'HuggingFaceTB/SmolLM2-360M', 'Qwen/Qwen2.5-0.5B']);
  for (const r of suggested) {
    assert.match(r.verdict, /^(ok|downsized|refused)$/);
    assert.match(r.cells[1], /MiB$/, 'download size');
    assert.match(r.cells[2], /MiB$/, 'weights at the chosen quantization');
    // A 4-token run of a tiny model is too small to measure this device's speed by.
    assert.equal(r.cells[4], '—', `time estimate: ${r.cells[4]}`);
  }
  ctx.log(`suggested: ${suggested.map((r) => `${r.cells[0].split(' ')[0]} ${r.cells[2]} ${r.verdict} ${r.cells[4]}`).join('; ')}`);

  // Reload with the hub unreachable: the stored bundle must load without a single hub request.
  const requestsBefore = server.requests.length;
  await page.context().route(`${server.url}/**`, (route) => route.abort('internetdisconnected'));
  await page.reload();
  await page.setViewportSize({ width: 1400, height: 900 });
  await expectReady(page, 'tiny/llama-sharded');
  assert.match(await page.textContent('[data-testid=model-origin]'), /from browser storage/);
  const after = await attribute(page);
  assert.equal(server.requests.length, requestsBefore, 'no hub request after the reload');
  assert.deepEqual(after, before, 'same attribution from the stored bundle');

  const stored = await storedModels(page);
  assert.equal(stored.length, 1, 'one stored model');
  assert.equal(stored[0].spec, 'hf:tiny/llama-sharded');
  assert.match(stored[0].size, /KiB|MiB/);
  await page.click('[data-testid=stored-delete]');
  await page.waitForSelector('[data-testid=stored-model]', { state: 'detached' });
  ctx.log(`stored ${stored[0].size}, deleted`);
}

export async function gpt2AndQwen2AtARevision(ctx) {
  const t0 = Date.now();
  const lap = (what) => ctx.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const server = await hub();
  const page = await openApp(ctx, 'hf:tiny/gpt2');
  await expectReady(page, 'tiny/gpt2');
  lap('gpt2 loaded');
  await attribute(page);
  lap('gpt2 attributed');
  assert.deepEqual(await storedModels(page), [{ spec: 'hf:tiny/gpt2', size: await page.textContent('[data-testid=stored-size]') }]);
  await loadById(page, `${server.url}/tiny/qwen2/tree/v1`, { hubUrl: 'https://huggingface.co', spec: 'hf:tiny/qwen2@v1' });
  await expectReady(page, 'tiny/qwen2@v1');
  assert.match(await page.textContent('[data-testid=model-backend-detail]'), /Qwen2ForCausalLM/);
  lap('qwen2 loaded');
  await attribute(page);
  lap('qwen2 attributed');
}

export async function clearErrorsAndTheAppStaysUsable(ctx) {
  const server = await hub();
  const page = await openApp(ctx, 'hf:tiny/missing@v2');
  const first = await settled(page, 'hf:tiny/missing@v2');
  assert.equal(first.status, 'error');
  assert.match(first.error, /config\.json: not found \(HTTP 404\) at http:\/\/127\.0\.0\.1:\d+\/tiny\/missing\/resolve\/v2\/config\.json/);
  const cases = [
    ['tiny/missing', /config\.json: not found \(HTTP 404\).*Check the model id and the revision/],
    ['tiny/corrupt', new RegExp(`${SECOND_SHARD}: header length \\d+ bytes is absurd.*corrupt`)],
    ['tiny/interrupted', /model\.safetensors: the download was interrupted after \d+ of \d+ bytes/],
  ];
  for (const [id, expected] of cases) {
    const { status, error } = await loadById(page, id, { hubUrl: server.url });
    assert.equal(status, 'error', `${id} should fail`);
    assert.match(error, expected);
    ctx.log(`${id}: ${error}`);
  }

  // A slow download shows each file's progress and the total, and Cancel stops it.
  await openPicker(page);
  await page.fill('[data-testid=byom-id]', 'tiny/slow');
  await page.click('[data-testid=byom-load]');
  await page.waitForFunction(() => {
    const weights = [...document.querySelectorAll('[data-testid=download-file]')].find((li) => li.textContent.startsWith('model.safetensors'));
    return weights && /[1-9][\d.]* KiB \/ [\d.]+ KiB/.test(weights.textContent);
  }, null, { timeout: 60_000 });
  const listed = await page.$$eval('[data-testid=download-file]', (els) => els.map((e) => [e.querySelector('.download-name').textContent, e.dataset.done]));
  assert.deepEqual(listed, [['config.json', 'true'], ['tokenizer.json', 'true'], ['tokenizer_config.json', 'true'], ['model.safetensors', 'false']]);
  assert.match(await page.textContent('[data-testid=model-progress-label]'), /Downloading model: model\.safetensors .* of /);
  await page.click('[data-testid=model-cancel]');
  const cancelled = await settled(page, 'hf:tiny/slow');
  assert.equal(cancelled.status, 'error');
  assert.match(cancelled.error, /Loading hf:tiny\/slow was cancelled/);

  const stored = await storedModels(page);
  assert.deepEqual(stored, [], 'failed and cancelled loads store nothing');
  await loadById(page, 'tiny/gpt2', { hubUrl: server.url });
  await expectReady(page, 'tiny/gpt2');
  await attribute(page);
}

export async function localCheckpointAndBundleFolders(ctx) {
  const checkpointDir = join(ctx.fixturesDir, 'my-llama');
  const bundleDir = join(ctx.fixturesDir, 'my-bundle');
  const files = makeTinyCheckpoint({ family: 'llama', tied: true, seed: 36 });
  await writeFilesTo(checkpointDir, files);
  const bundle = await compileBundle(await openCheckpoint(memorySource(files, 'my-bundle')), { quant: 'q8', modelId: 'my-bundle' });
  await writeBundleDir(bundleDir, bundle.files);

  const page = await openApp(ctx, 'local:my-llama');
  const notStored = await settled(page, 'local:my-llama');
  assert.equal(notStored.status, 'error');
  assert.match(notStored.error, /not stored in this browser/);
  await openPicker(page);
  await page.setInputFiles('[data-testid=byom-folder]', checkpointDir);
  await expectReady(page, 'my-llama', 'local:my-llama');
  assert.match(await page.textContent('[data-testid=model-origin]'), /compiled in this browser and stored/);
  await attribute(page);
  assert.deepEqual((await storedModels(page)).map((m) => m.spec), ['local:my-llama']);

  await page.setInputFiles('[data-testid=byom-folder]', bundleDir);
  await expectReady(page, 'my-bundle', 'local:my-bundle');
  assert.match(await page.textContent('[data-testid=model-origin]'), /prebuilt bundle/);
  await attribute(page);
}
