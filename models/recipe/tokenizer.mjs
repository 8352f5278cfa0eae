#!/usr/bin/env node
// Trains a byte-level BPE tokenizer (vocabulary 4096) on models/recipe/data/train.txt with the
// Rust-backed @anush008/tokenizers, writes a Hugging Face tokenizer.json + tokenizer_config.json
// to models/recipe/tokenizer/ (and models/demo/), checks that the pure-JS @huggingface/tokenizers
// gives identical ids, then encodes train/val text to uint16 token files for train.py.
//
// The Rust trainer here cannot be given a vocabulary size (train() uses the default BPE trainer,
// 30k tokens, and only the characters seen in the data as alphabet). We therefore rebuild the
// vocabulary consistently: id 0 = <|endoftext|>, ids 1..256 = the full byte-level alphabet,
// then the first K learned merges in their learned order (each merge adds its result token),
// until VOCAB_SIZE tokens exist. Truncating a BPE merge list to a prefix is always consistent
// (a merge only uses tokens created by earlier merges or the alphabet).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as RustTokenizer, BPE, byteLevelPreTokenizer, byteLevelAlphabet } from '@anush008/tokenizers';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = path.join(HERE, 'data');
const TOKDIR = path.join(HERE, 'tokenizer');
const DEMO = path.resolve(HERE, '..', 'demo');
const VOCAB_SIZE = 4096;
const EOT = '<|endoftext|>';

fs.mkdirSync(TOKDIR, { recursive: true });
fs.mkdirSync(DEMO, { recursive: true });

// ---- 1. train a large BPE with the Rust trainer
let t0 = Date.now();
const big = new RustTokenizer(BPE.empty());
big.setPreTokenizer(byteLevelPreTokenizer(false, true));
big.addSpecialTokens([EOT]);
big.train([path.join(DATA, 'train.txt')]);
const rawPath = path.join(DATA, 'tokenizer.raw.json');
big.save(rawPath, false);
console.log(`trained raw BPE in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const raw = JSON.parse(fs.readFileSync(rawPath, 'utf8'));

// ---- 2. rebuild vocab: EOT, 256 byte chars, first merges
const alphabet = byteLevelAlphabet();
if (alphabet.length !== 256) throw new Error('byte-level alphabet should have 256 symbols');
const vocab = { [EOT]: 0 };
let next = 1;
for (const ch of [...alphabet].sort((a, b) => a.codePointAt(0) - b.codePointAt(0))) vocab[ch] = next++;
const rawMerges = raw.model.merges.map((m) => (Array.isArray(m) ? m : m.split(' ')));
const merges = [];
for (const [a, b] of rawMerges) {
  if (next >= VOCAB_SIZE) break;
  if (!(a in vocab) || !(b in vocab)) throw new Error(`inconsistent merge ${a} ${b}`);
  merges.push([a, b]);
  const t = a + b;
  if (!(t in vocab)) vocab[t] = next++;
}
console.log(`vocab ${next} tokens, ${merges.length} merges (raw: ${Object.keys(raw.model.vocab).length} tokens)`);

const tokJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 0, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  // BOS = <|endoftext|> before every prompt, as every training document follows one (and as Hugging Face
  // applies a TemplateProcessing post-processor); training data is encoded without it.
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: EOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [{ SpecialToken: { id: EOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { [EOT]: { id: EOT, ids: [0], tokens: [EOT] } },
  },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
  },
};
const tokConfig = {
  tokenizer_class: 'PreTrainedTokenizerFast',
  bos_token: EOT,
  eos_token: EOT,
  unk_token: null,
  pad_token: null,
  add_bos_token: true,
  add_eos_token: false,
  clean_up_tokenization_spaces: false,
  model_max_length: 1024,
};
for (const dir of [TOKDIR, DEMO]) {
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokJson));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokConfig, null, 2) + '\n');
}

// ---- 3. load final tokenizer in both implementations and compare
const rust = RustTokenizer.fromFile(path.join(TOKDIR, 'tokenizer.json'));
const js = new JsTokenizer(tokJson, tokConfig);
const jsIds = (s) => Array.from(js.encode(s, { add_special_tokens: false }).ids);
const tests = [
  'Hello world! The quick brown fox jumps over the lazy dog.',
  'Question: Where does it occur? Answer: the leaves',
  'In the beginning God created the heaven and the earth.',
  '  leading spaces,\ttabs\nand newlines\n\n',
  'naïve café — “smart quotes” … ½ ©2024 Ωmega 日本語 😀👩‍👩‍👧 \u0301e\u200b',
  `end of doc.${EOT}Next document 12345 67,890.`,
  'x'.repeat(300) + ' ' + '0123456789'.repeat(10),
];
const valText = fs.readFileSync(path.join(DATA, 'val.txt'), 'utf8');
for (let i = 0; i < 20; i++) tests.push(valText.slice(i * 997, i * 997 + 400));
let mismatches = 0;
for (const s of tests) {
  const a = Array.from((await rust.encode(s, null, { addSpecialTokens: false })).getIds());
  const b = jsIds(s);
  const dec = await rust.decode(a, false);
  if (JSON.stringify(a) !== JSON.stringify(b)) { mismatches++; console.error('MISMATCH', JSON.stringify(s.slice(0, 60)), a.slice(0, 20), b.slice(0, 20)); }
  if (dec !== s) { mismatches++; console.error('ROUNDTRIP FAIL', JSON.stringify(s.slice(0, 60)), JSON.stringify(dec.slice(0, 60))); }
}
if (mismatches) { console.error(`${mismatches} mismatches`); process.exit(1); }
console.log(`rust/js tokenizers agree on ${tests.length} test strings (and round-trip)`);

// ---- 4. encode data to uint16
async function encodeFile(name) {
  const text = fs.readFileSync(path.join(DATA, `${name}.txt`), 'utf8');
  const docs = text.split(EOT);
  const parts = [];
  let n = 0;
  const B = 512;
  for (let i = 0; i < docs.length; i += B) {
    const batch = docs.slice(i, i + B);
    const encs = await rust.encodeBatch(batch, { addSpecialTokens: false });
    for (let j = 0; j < encs.length; j++) {
      const ids = encs[j].getIds();
      const arr = new Uint16Array(ids.length + 1);
      arr.set(ids, 0);
      arr[ids.length] = 0; // <|endoftext|> after every document
      parts.push(arr);
      n += arr.length;
    }
  }
  const out = new Uint16Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  fs.writeFileSync(path.join(DATA, `${name}.bin`), Buffer.from(out.buffer));
  console.log(`${name}: ${text.length} chars -> ${n} tokens (${(text.length / n).toFixed(2)} chars/token)`);
  return n;
}
t0 = Date.now();
const nTrain = await encodeFile('train');
const nVal = await encodeFile('val');
console.log(`encoded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// record token counts
const srcPath = path.join(HERE, 'sources.json');
const src = JSON.parse(fs.readFileSync(srcPath, 'utf8'));
src.tokenizer = { type: 'byte-level BPE', vocab_size: VOCAB_SIZE, merges: merges.length };
src.tokens = { train: nTrain, val: nVal };
fs.writeFileSync(srcPath, JSON.stringify(src, null, 2) + '\n');
