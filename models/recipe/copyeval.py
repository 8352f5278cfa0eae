"""Measures what the demo model is for: on held-out copy items (models/eval/copy-heldout.jsonl,
written by `copytasks.py --write-eval models/eval`), is the answer's first token the model's top-1
next token after the prompt? Reported per question form, plus the prose validation loss on the
committed slice models/eval/val-tokens.u16. Shared by train.py (at every checkpoint) and eval.py.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from copypool import encode_documents

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL_DIR = os.path.abspath(os.path.join(HERE, "..", "eval"))


def load_items(path=os.path.join(EVAL_DIR, "copy-heldout.jsonl")):
    with open(path) as f:
        return encode_items([json.loads(line) for line in f if line.strip()])


def encode_items(items):
    """Adds the token ids copy_accuracy needs to copytasks items (as written to copy-heldout.jsonl)."""
    # one encoding call for all prompts and targets: each document ends with id 0
    docs = _split_docs(encode_documents([it["prompt"] for it in items] + [it["target"] for it in items]))
    n = len(items)
    for it, p, t in zip(items, docs[:n], docs[n:]):
        it["ids"] = [0] + p  # BOS, as the demo tokenizer's TemplateProcessing post-processor adds it in the app
        it["target_id"] = t[0]
    foils = [it for it in items if "distractor_answer" in it]
    foil_ids = _split_docs(encode_documents([" " + it["distractor_answer"].split()[0] for it in foils]))
    for it, ids in zip(foils, foil_ids):
        it["foil_id"] = ids[0]
    return items


def _split_docs(stream):
    docs, cur = [], []
    for t in stream.tolist():
        if t == 0:
            docs.append(cur)
            cur = []
        else:
            cur.append(t)
    return docs


def prose_windows(path=os.path.join(EVAL_DIR, "val-tokens.u16"), T=256):
    val = np.fromfile(path, dtype=np.uint16).astype(np.int64)
    n = (len(val) - 1) // T
    x = torch.from_numpy(np.stack([val[i * T:(i + 1) * T] for i in range(n)]))
    y = torch.from_numpy(np.stack([val[i * T + 1:(i + 1) * T + 1] for i in range(n)]))
    return x, y


@torch.no_grad()
def prose_loss(model, windows, device, batch=25):
    x, y = windows
    total = 0.0
    for i in range(0, len(x), batch):
        lg = model(x[i:i + batch].to(device)).float()
        total += F.cross_entropy(lg.reshape(-1, lg.size(-1)), y[i:i + batch].to(device).reshape(-1), reduction="sum").item()
    return total / y.numel()


@torch.no_grad()
def copy_accuracy(model, items, device, batch=64):
    """{form: {"n", "top1", "top5"}} and "all" over the question forms (not IOI/repetition/agreement)."""
    res = {}
    for i in range(0, len(items), batch):
        chunk = items[i:i + batch]
        L = max(len(it["ids"]) for it in chunk)
        x = torch.zeros((len(chunk), L), dtype=torch.long)
        for j, it in enumerate(chunk):
            x[j, :len(it["ids"])] = torch.tensor(it["ids"])
        lg = model(x.to(device)).float()
        for j, it in enumerate(chunk):
            row = lg[j, len(it["ids"]) - 1]
            top5 = row.topk(5).indices.tolist()
            r = res.setdefault(it["form"], {"n": 0, "top1": 0, "top5": 0})
            r["n"] += 1
            r["top1"] += int(top5[0] == it["target_id"])
            r["top5"] += int(it["target_id"] in top5)
            if "foil_id" in it:  # the answer against its same-kind foil (the other name, the other verb number)
                r["over_foil"] = r.get("over_foil", 0) + int(row[it["target_id"]] > row[it["foil_id"]])
    qa = [r for f, r in res.items() if f not in ("indirect object", "repetition", "agreement")]
    res["all questions"] = {k: sum(r[k] for r in qa) for k in ("n", "top1", "top5")}
    return res


def summary(acc):
    """top-1 rate per form; agreement as the rate of the right verb number over the wrong one."""
    return " ".join(f"{f.replace(' ', '_')}={(r['over_foil'] if f == 'agreement' else r['top1']) / r['n']:.2f}"
                    for f, r in acc.items())
