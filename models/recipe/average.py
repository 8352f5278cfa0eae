#!/usr/bin/python3
"""Average checkpoints of one lineage (a run, its --init-from weights, its --snapshots) and score them on a
*validation* draw of held-out-template items (copytasks.heldout_items(seed=4049), twice the test set's size),
never on the committed test items (seed 2026). Writes OUT/{model.safetensors,config.json,tokenizer*.json} and the last folder's
training_state.json with a "weight_average" record of the inputs, weights and scores; install with install.py.

A checkpoint is a folder holding model.safetensors (and config.json) or a .safetensors file (a train.py
--snapshots file); the config and tokenizer come from the last folder given.

  /usr/bin/python3 models/recipe/average.py models/demo /work/runs/ft2 /work/runs/soup
  /usr/bin/python3 models/recipe/average.py models/demo RUN/snap/step*.safetensors RUN SOUP --no-score-inputs
"""
import argparse
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import copyeval  # noqa: E402
import copytasks  # noqa: E402
from model import load_safetensors, model_from_tensors, save_safetensors, write_json_atomic  # noqa: E402

VALIDATION_SEED = 4049
# twice the committed test set's size per form, so that a choice among several candidates is not noise
VALIDATION_SIZE = {"per_form": 120, "ioi": 240, "repeat": 120, "agreement": 120}


def weights_path(ckpt):
    return ckpt if ckpt.endswith(".safetensors") else os.path.join(ckpt, "model.safetensors")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+", help="checkpoints to average, then the output folder")
    ap.add_argument("--weight", type=float, help="with two checkpoints: the weight of the second (default: equal weights)")
    ap.add_argument("--no-score-inputs", action="store_true", help="score only the average")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    *ckpts, out = args.paths
    if not ckpts:
        sys.exit("average.py: give at least one checkpoint and an output folder")
    folders = [c for c in ckpts if not c.endswith(".safetensors")]
    if not folders:
        sys.exit("average.py: one checkpoint must be a folder (it supplies config.json and the tokenizer)")
    if args.weight is not None and len(ckpts) != 2:
        sys.exit("average.py: --weight needs exactly two checkpoints")
    w = [1 - args.weight, args.weight] if args.weight is not None else [1 / len(ckpts)] * len(ckpts)
    torch.set_num_threads(args.threads)

    states = [load_safetensors(weights_path(c)) for c in ckpts]
    ref = states[0]
    if any(s.keys() != ref.keys() or any(s[k].shape != ref[k].shape for k in ref) for s in states):
        sys.exit("average.py: the checkpoints have different tensors; average only runs of one lineage")
    avg = {k: sum(wi * s[k].float() for wi, s in zip(w, states)) for k in ref}
    os.makedirs(out, exist_ok=True)
    src = folders[-1]
    for fn in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(src, fn), os.path.join(out, fn))
    save_safetensors(avg, os.path.join(out, "model.safetensors"))
    with open(os.path.join(src, "config.json")) as f:
        cfg = json.load(f)

    items, windows = copyeval.encode_items(copytasks.heldout_items(seed=VALIDATION_SEED, **VALIDATION_SIZE)), copyeval.prose_windows()
    scored = [("average", avg)] + ([] if args.no_score_inputs else list(zip(ckpts, states)))
    scores = {}
    for name, tensors in scored:
        model = model_from_tensors(tensors, cfg)
        with torch.no_grad():
            loss = copyeval.prose_loss(model, windows, "cpu")
            acc = copyeval.copy_accuracy(model, items, "cpu")
        q = [acc[f] for f in copytasks.QUESTION_FORMS]
        questions, weakest = sum(r["top1"] for r in q) / sum(r["n"] for r in q), min(r["top1"] / r["n"] for r in q)
        scores[name] = {"prose_loss": round(loss, 4), "questions": round(questions, 4), "weakest_form": round(weakest, 4),
                        "validation_top1": copyeval.summary(acc)}
        print(f"{name}: prose loss {loss:.4f}; questions {questions:.3f}, weakest form {weakest:.3f}; "
              f"validation top-1 {copyeval.summary(acc)}", flush=True)
    with open(os.path.join(src, "training_state.json")) as f:
        state = json.load(f)
    state["weight_average"] = {"inputs": [os.path.abspath(c) for c in ckpts], "weights": w,
                               "chosen_on": f"copytasks.heldout_items(seed={VALIDATION_SEED}, {VALIDATION_SIZE}), not the committed test items",
                               "scores": scores}
    write_json_atomic(state, os.path.join(out, "training_state.json"))


if __name__ == "__main__":
    main()
