#!/usr/bin/python3
"""Install a training run's checkpoint as the shipped demo model: F16 weights, its config and its
training_state.json into models/demo (each written to a temp file and renamed); the replaced model's training record is
kept as the new one's "previous" (the new run continued it with --init-from). The tokenizer files
stay as they are. Then rebuild the bundle and its metrics (models/README.md, "Reproduce").

  /usr/bin/python3 models/recipe/install.py /work/runs/ft1      # a train.py --out folder
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import load_safetensors, save_safetensors, write_json_atomic  # noqa: E402

DEMO = os.path.abspath(os.path.join(HERE, "..", "demo"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", help="folder with model.safetensors, config.json and training_state.json")
    ap.add_argument("--to", default=DEMO)
    a = ap.parse_args()
    with open(os.path.join(a.run, "config.json")) as f:
        cfg = json.load(f)
    tensors = load_safetensors(os.path.join(a.run, "model.safetensors"))
    if cfg.get("tie_word_embeddings"):
        tensors.pop("lm_head.weight", None)  # the embedding is the head
    save_safetensors(tensors, os.path.join(a.to, "model.safetensors"), dtype="F16")
    write_json_atomic({**cfg, "torch_dtype": "float16"}, os.path.join(a.to, "config.json"))
    with open(os.path.join(a.run, "training_state.json")) as f:
        state = json.load(f)
    # A run that continued the installed model (--init-from) keeps that model's record as its "previous".
    old_path = os.path.join(a.to, "training_state.json")
    if os.path.exists(old_path) and "previous" not in state:
        with open(old_path) as f:
            old = json.load(f)
        state["previous"] = {k: old[k] for k in ("step", "tokens_seen", "train_hours", "val_loss", "device", "saved_at", "previous") if k in old}
    write_json_atomic(state, old_path)
    print(f"installed {a.run} -> {a.to} ({len(tensors)} tensors, F16)")


if __name__ == "__main__":
    main()
