#!/usr/bin/python3
"""Evaluate the Hugging Face checkpoint in models/demo (or --model DIR) with the plain-torch
model code from model.py:

  * validation loss / perplexity on the committed held-out prose slice models/eval/val-tokens.u16
    (200 non-overlapping windows of 256 tokens: the first 51,201 tokens of the prose validation set);
  * top-1 accuracy on the held-out copy items (models/eval/copy-heldout.jsonl) per question form;
  * greedy continuations (20 tokens) of 3 fixed prompts (tokenized with the checkpoint's
    tokenizer.json through node + @huggingface/tokenizers, the same tokenizer the app uses).

  /usr/bin/python3 models/recipe/eval.py [--model models/demo] [--windows 200] [--json out.json]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
from model import load_hf  # noqa: E402
import copyeval  # noqa: E402

PROMPTS = [
    "The old man walked slowly down to the harbor, where",
    "Tomas Lindqvist kept a brass lantern in the cellar. His sister lived in Oslo. "
    "Question: Where did Tomas keep the lantern? Answer:",
    "In the beginning God created",
    "Ilse Marsh keeps a brass lantern in the attic. Bram Osei keeps a copper kettle in the cellar. "
    "Question: What does Ilse keep in the attic? Answer:",
]

JS = r"""
import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
const [dir, mode] = process.argv.slice(2);
const tj = JSON.parse(fs.readFileSync(dir + '/tokenizer.json', 'utf8'));
const tc = JSON.parse(fs.readFileSync(dir + '/tokenizer_config.json', 'utf8'));
const tok = new Tokenizer(tj, tc);
const inp = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = mode === 'encode'
  ? inp.map((s) => Array.from(tok.encode(s).ids)) // with BOS, as the app encodes prompts
  : inp.map((ids) => tok.decode(ids, { skip_special_tokens: false }));
process.stdout.write(JSON.stringify(out));
"""


def node_tok(model_dir, mode, items):
    script = os.path.join(HERE, "work", "_tok.mjs")
    os.makedirs(os.path.dirname(script), exist_ok=True)
    with open(script, "w") as f:
        f.write(JS)
    # run from the repo root so node resolves node_modules
    r = subprocess.run(["node", script, os.path.abspath(model_dir), mode], input=json.dumps(items),
                       capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "demo"))
    ap.add_argument("--new-tokens", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--items", default=os.path.join(copyeval.EVAL_DIR, "copy-heldout.jsonl"),
                    help="copy items to score (e.g. copytasks.py --write-seen's, to measure the generalization gap)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    model, cfg = load_hf(args.model)
    n_params = sum(p.numel() for p in model.parameters())
    t0 = time.time()
    windows = copyeval.prose_windows()
    loss = copyeval.prose_loss(model, windows, "cpu")
    n, T = windows[0].shape
    print(f"model: {args.model} ({n_params:,} params)")
    print(f"validation: {n} windows x {T} tokens = {n * T:,} tokens; loss {loss:.4f} nats/token; "
          f"perplexity {math.exp(loss):.2f} ({time.time() - t0:.1f} s)")
    acc = copyeval.copy_accuracy(model, copyeval.load_items(args.items), "cpu")
    for form, r in acc.items():
        extra = f", over the foil {r['over_foil']}/{r['n']}" if "over_foil" in r else ""
        print(f"copy {form}: top-1 {r['top1']}/{r['n']} ({r['top1'] / r['n']:.0%}), top-5 {r['top5']}/{r['n']}{extra}")

    enc = node_tok(args.model, "encode", PROMPTS)
    outs = []
    with torch.no_grad():
        for ids in enc:
            ids = list(ids)
            new = []
            for _ in range(args.new_tokens):
                lg = model(torch.tensor([ids + new]))
                new.append(int(lg[0, -1].argmax()))
            outs.append(new)
    dec = node_tok(args.model, "decode", outs)
    samples = []
    for p, d in zip(PROMPTS, dec):
        print(f"\nPROMPT: {p}\nGREEDY: {d}")
        samples.append({"prompt": p, "continuation": d})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"val_loss": loss, "perplexity": math.exp(loss), "windows": n, "seq_len": T,
                       "params": n_params, "copy": acc, "samples": samples}, f, indent=2)


if __name__ == "__main__":
    main()
