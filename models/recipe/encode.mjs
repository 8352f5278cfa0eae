#!/usr/bin/env node
// Encodes <|endoftext|>-separated text files with the demo model's tokenizer (models/demo/tokenizer.json,
// the Rust-backed tokenizer for speed; tokenizer.mjs checked it gives the same ids as the app's) into
// uint16 token files, one <|endoftext|> (id 0) after every document.
//   node models/recipe/encode.mjs models/recipe/data/prose-train.txt models/recipe/data/prose-train.bin
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@anush008/tokenizers';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node encode.mjs <input.txt> <output.bin>');
  process.exit(2);
}
const tok = Tokenizer.fromFile(path.resolve(HERE, '..', 'demo', 'tokenizer.json'));
const docs = fs.readFileSync(input, 'utf8').split('<|endoftext|>');
const parts = [];
let n = 0;
for (let i = 0; i < docs.length; i += 512) {
  for (const enc of await tok.encodeBatch(docs.slice(i, i + 512), { addSpecialTokens: false })) {
    const ids = enc.getIds();
    const arr = new Uint16Array(ids.length + 1);
    arr.set(ids, 0);
    parts.push(arr);
    n += arr.length;
  }
}
const out = new Uint16Array(n);
let o = 0;
for (const p of parts) { out.set(p, o); o += p.length; }
fs.writeFileSync(output + '.tmp', Buffer.from(out.buffer));
fs.renameSync(output + '.tmp', output);
console.log(`${path.basename(input)}: ${docs.length} documents -> ${n} tokens`);
