#!/usr/bin/python3
"""Average two checkpoints of one lineage (a run and its --init-from weights) and score all three on a
*validation* draw of held-out-template items (copytasks.heldout_items(seed=4049)), never on the committed
test items (seed 2026). Writes OUT/{model.safetensors,config.json,tokenizer*.json} and b's training_state.json with a
"weight_average" record of the choice and its scores; install with install.py.

  /usr/bin/python3 models/recipe/average.py models/demo /work/runs/ft2 /work/runs/soup
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
from model import load_hf, load_safetensors, save_safetensors, write_json_atomic  # noqa: E402

VALIDATION_SEED = 4049


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a", help="checkpoint folder (e.g. models/demo: the run's starting weights)")
    ap.add_argument("b", help="checkpoint folder (e.g. a train.py --out folder)")
    ap.add_argument("out")
    ap.add_argument("--weight", type=float, default=0.5, help="weight of b")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    a = load_safetensors(os.path.join(args.a, "model.safetensors"))
    b = load_safetensors(os.path.join(args.b, "model.safetensors"))
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        sys.exit("average.py: the two checkpoints have different tensors; average only runs of one lineage")
    os.makedirs(args.out, exist_ok=True)
    for fn in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(args.b, fn), os.path.join(args.out, fn))
    w = args.weight
    save_safetensors({k: (1 - w) * a[k].float() + w * b[k].float() for k in b}, os.path.join(args.out, "model.safetensors"))

    items, windows = copyeval.encode_items(copytasks.heldout_items(seed=VALIDATION_SEED)), copyeval.prose_windows()
    scores = {}
    for name, d in (("a", args.a), ("b", args.b), ("average", args.out)):
        model, _ = load_hf(d)
        model.eval()
        with torch.no_grad():
            loss = copyeval.prose_loss(model, windows, "cpu")
            acc = copyeval.copy_accuracy(model, items, "cpu")
        scores[name] = {"prose_loss": round(loss, 4), "validation_top1": copyeval.summary(acc)}
        print(f"{name}: {d}: prose loss {loss:.4f}; validation top-1 {copyeval.summary(acc)}", flush=True)
    with open(os.path.join(args.b, "training_state.json")) as f:
        state = json.load(f)
    state["weight_average"] = {"a": os.path.abspath(args.a), "b": os.path.abspath(args.b), "weight_of_b": w,
                               "chosen_on": f"copytasks.heldout_items(seed={VALIDATION_SEED}), not the committed test items",
                               "scores": scores}
    write_json_atomic(state, os.path.join(args.out, "training_state.json"))


if __name__ == "__main__":
    main()
