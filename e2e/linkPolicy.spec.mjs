// What the app fetches when it is opened from a link somebody else wrote. Every request of the browser
// context (pages and their Web Workers) is recorded, and each stand-in server logs what reached it:
// - `#model=<bundle on another origin>`: nothing leaves the app's origin before the user's click; the
//   prompt names the host; after the click the bundle comes only from that host.
// - `#model=hf:org/name` with the hub address on a local stand-in: the same, and "Don't download" sends
//   nothing at all.
// - a bundle on the app's own origin (loads without asking) whose heta.json names files
//   `https://tracker.example/pixel.onnx`, `//cdn.example/x.onnx` or `../../other/x.onnx`: refused with
//   a clear message by the engine's manifest parser, none of them requested; a file larger than
//   heta.json announces is cut off.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTinyCheckpoint } from '../src/testing/tinyCheckpoint.ts';
import { startHubServer } from './lib/hubServer.mjs';
import { approveDownload, downloadPrompt, settled } from './lib/modelCard.mjs';

export const timeout = 180_000;

/** Long enough for anything the page would fetch on its own after showing the prompt to have started. */
const QUIET_MS = 1500;

function demoBundleFiles(ctx) {
  const dir = join(ctx.repoRoot, 'models/demo/bundle');
  return Object.fromEntries(readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]));
}

/** Records the URL of every request of the page's browser context (its Web Workers' too). */
function recordRequests(page) {
  const urls = [];
  page.context().on('request', (request) => urls.push(request.url()));
  return urls;
}

/** The recorded requests that left the app's origin (data: and blob: URLs never leave the browser). */
function offOrigin(urls, ctx) {
  const app = new URL(ctx.baseUrl).origin;
  return urls.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== app);
}

/** A page of the app's origin (a tiny 404 fixture: it loads nothing), recording from before the link opens. */
async function blankAppPage(ctx) {
  const page = await ctx.openPage(ctx.fixtureUrl('no-such-file'));
  await page.setViewportSize({ width: 1400, height: 900 });
  return { page, requests: recordRequests(page) };
}

const link = (ctx, params) => new URL(`/#${new URLSearchParams(params)}`, ctx.baseUrl).href;

export async function bundleOnAnotherOriginWaitsForTheClick(ctx) {
  // Two other origins: the host the link names, and a hub that must never be contacted.
  const other = await startHubServer({ 'shared/demo': { files: demoBundleFiles(ctx) } });
  const unrelated = await startHubServer({ 'tiny/gpt2': { files: makeTinyCheckpoint({ family: 'gpt2', seed: 31 }) } });
  try {
    const bundleUrl = `${other.url}/shared/demo/resolve/main/`;
    const host = new URL(other.url).host;
    const { page, requests } = await blankAppPage(ctx);
    await page.evaluate((hubUrl) => localStorage.setItem('heta-lens.hub-settings', JSON.stringify({ hubUrl, quant: 'q8' })), unrelated.url);
    await page.goto(link(ctx, { model: bundleUrl, backend: 'wasm', prompt: 'The fox', m: '100000000' }));

    await downloadPrompt(page, host);
    assert.equal(await page.textContent('[data-testid=consent-url]'), bundleUrl);
    assert.match(await page.textContent('[data-testid=download-consent]'), /a different site than this app \(127\.0\.0\.1:\d+\)\. Nothing has been downloaded yet/);
    // The absurd m of the link is named, with the allowed range, and not used.
    assert.match(await page.textContent('[data-testid=link-problems]'), /m=100000000: probes m must be an integer from 1 to 256/);
    assert.equal(await page.inputValue('[data-testid=m-input]'), '10');
    await page.waitForTimeout(QUIET_MS);
    assert.deepEqual(offOrigin(requests, ctx), [], 'requests that left the app origin before the click');
    assert.deepEqual([other.requests, unrelated.requests], [[], []], 'requests the other servers received before the click');
    const before = requests.length;
    ctx.log(`before the click: ${before} requests, all to ${ctx.baseUrl}`);

    await approveDownload(page, host);
    const { status, error } = await settled(page, bundleUrl);
    assert.equal(status, 'ready', `the approved bundle did not load: ${error}`);
    assert.equal((await page.textContent('[data-testid=model-name]'))?.trim(), 'demo');
    // The link's run goes ahead with the default m.
    await page.waitForSelector('[data-testid=run-status][data-state=done]', { timeout: 120_000 });

    const after = offOrigin(requests.slice(before), ctx);
    assert.ok(after.length > 0, 'the worker requests of the download are recorded');
    assert.deepEqual([...new Set(after.map((u) => new URL(u).host))], [host], 'after the click: only the approved host');
    const files = other.requests.map((r) => r.split('/').pop()).sort();
    assert.deepEqual(files, Object.keys(demoBundleFiles(ctx)).sort(), 'each bundle file once, nothing else');
    assert.deepEqual(unrelated.requests, [], 'the unrelated hub was never contacted');
    ctx.log(`after the click: ${after.length} requests, all to ${host}`);
  } finally {
    await other.close();
    await unrelated.close();
  }
}

export async function hubLinkWaitsAndDontDownloadSendsNothing(ctx) {
  const hub = await startHubServer({ 'org/name': { files: makeTinyCheckpoint({ family: 'gpt2', seed: 38 }) } });
  try {
    const host = new URL(hub.url).host;
    const { page, requests } = await blankAppPage(ctx);
    await page.evaluate((hubUrl) => localStorage.setItem('heta-lens.hub-settings', JSON.stringify({ hubUrl, quant: 'q8' })), hub.url);
    await page.goto(link(ctx, { model: 'hf:org/name', backend: 'wasm' }));

    await downloadPrompt(page, host);
    assert.equal(await page.textContent('[data-testid=consent-model]'), 'org/name');
    await page.waitForTimeout(QUIET_MS);
    assert.deepEqual(offOrigin(requests, ctx), [], 'requests that left the app origin before any answer');
    assert.deepEqual(hub.requests, []);

    await page.click('[data-testid=consent-cancel]');
    await page.waitForSelector('[data-testid=model-card][data-status=declined]');
    assert.match(await page.textContent('[data-testid=model-note]'), new RegExp(`Nothing was downloaded from ${host.replaceAll('.', '\\.')}`));
    assert.equal(await page.locator('[data-testid=download-consent]').count(), 0);
    await page.waitForTimeout(QUIET_MS);
    assert.deepEqual(offOrigin(requests, ctx), [], "requests that left the app origin after Don't download");
    assert.deepEqual(hub.requests, []);

    // Opening the link again asks again; this time the download goes to the hub and nowhere else.
    await page.reload();
    await approveDownload(page, host);
    const { status, error } = await settled(page, 'hf:org/name');
    assert.equal(status, 'ready', `the approved hub model did not load: ${error}`);
    assert.deepEqual([...new Set(offOrigin(requests, ctx).map((u) => new URL(u).host))], [host]);
    assert.ok(hub.requests.some((r) => r === 'GET /org/name/resolve/main/model.safetensors'), hub.requests.join(', '));
    ctx.log(`hub requests after the click: ${hub.requests.length}`);
  } finally {
    await hub.close();
  }
}

export async function hostileFileNamesAreRefusedUnrequested(ctx) {
  const demo = demoBundleFiles(ctx);
  const manifest = JSON.parse(new TextDecoder().decode(demo['heta.json']));
  /** A copy of the demo bundle in the fixtures (the app's own origin: it loads without asking) with its manifest edited. */
  const bundle = (name, edit) => {
    const dir = join(ctx.fixturesDir, name);
    mkdirSync(dir, { recursive: true });
    for (const [file, bytes] of Object.entries(demo)) writeFileSync(join(dir, file), bytes);
    const m = structuredClone(manifest);
    edit(m);
    writeFileSync(join(dir, 'heta.json'), JSON.stringify(m, null, 2));
    return ctx.fixtureUrl(`${name}/`);
  };
  const hostile = [
    ['tracker', 'https://tracker.example/pixel.onnx', (m, file) => (m.weights.file = file)],
    ['cdn', '//cdn.example/x.onnx', (m, file) => (m.model.file = file)],
    ['traversal', '../../other/x.onnx', (m, file) => (m.tokenizer.file = file)],
  ];
  const { page, requests } = await blankAppPage(ctx);
  await page.goto(new URL('/', ctx.baseUrl).href);
  await settled(page, '/models/demo/bundle/'); // the app's own model: no prompt
  for (const [name, file, edit] of hostile) {
    const url = bundle(name, (m) => edit(m, file));
    await page.evaluate((hash) => (location.hash = hash), `model=${encodeURIComponent(url)}&backend=wasm`);
    const { status, error } = await settled(page, url);
    assert.equal(status, 'error', `${name}: the bundle must be refused`);
    // heta.json is read by the engine's manifest parser, which refuses the name before anything is fetched.
    assert.ok(error.includes(JSON.stringify(file)), `${name}: the message names the file: ${error}`);
    assert.match(error, /which is not a plain file name inside the bundle folder: refusing to read or download it\. Bundle files must be plain names such as weights\.bin/);
    ctx.log(error);
  }
  const leaked = requests.filter((u) => /pixel\.onnx|x\.onnx|tracker\.example|cdn\.example|\/other\//.test(u));
  assert.deepEqual(leaked, [], 'no hostile URL was requested');
  assert.deepEqual(offOrigin(requests, ctx), []);

  // A file larger than heta.json announces: the download stops with a message naming it.
  // (Every file gets its integrity record, so that only the size of model.onnx is wrong.)
  const record = Object.fromEntries(
    Object.entries(demo)
      .filter(([file]) => file !== 'heta.json')
      .map(([file, bytes]) => [file, { bytes: file === 'model.onnx' ? 1000 : bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }]),
  );
  const capped = bundle('capped', (m) => (m.files = record));
  await page.evaluate((hash) => (location.hash = hash), `model=${encodeURIComponent(capped)}&backend=wasm`);
  const { status, error } = await settled(page, capped);
  assert.equal(status, 'error');
  assert.match(error, /model\.onnx: the server sends \d+ bytes, but heta\.json announces 1000 bytes for it: download stopped/);
  ctx.log(error);
}
