"""One bounded run on a CUDA machine (the `device` tool's GPU): build one copy-task stream, train the
candidate presets side by side on the one GPU (small models leave most of it idle, so three
processes share it at little cost each), and keep copying each candidate's latest checkpoint and
progress into --out, so whatever the run reached comes back even if it is cut short.

  python3 models/recipe/gpu_run.py --out "$OUT" --minutes 6.5 --presets gpu-s,gpu-m,gpu-l

Files written to --out (flat, few, each under 16 MiB): <preset>.safetensors (F16 weights),
<preset>.json (config, history with prose loss and held-out copy accuracy), train.log.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # one tokenizer per worker process

# ids of the demo tokenizer for two strings, taken from the JS/Rust tokenizer on the development
# machine: the run stops at once if this machine's Python tokenizer disagrees.
EXPECTED_IDS = [
    ("Question: Where does Nora Okafor live? Answer: Kestrelford.",
     [388, 26, 676, 803, 3239, 3874, 714, 31, 586, 26, 3106, 2360, 14]),
    ("The list reads: Klouridge, Caholm, 24 cups <s> naïve café 日本語 😀",
     [483, 3322, 1497, 83, 26, 629, 76, 471, 960, 12, 381, 877, 326, 77, 12, 2466, 2951, 83, 221, 28, 83, 30, 297, 65,
      128, 108, 321, 1695, 70, 128, 103, 221, 163, 246, 99, 163, 251, 106, 165, 104, 253, 221, 173, 254, 247, 223]),
]
LR = {"gpu-s": 3e-3, "gpu-m": 2.5e-3, "gpu-l": 2e-3}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=6.5, help="training-time budget of each candidate")
    ap.add_argument("--presets", default="gpu-s,gpu-m,gpu-l")
    ap.add_argument("--copy-tokens", type=int, default=64_000_000)
    ap.add_argument("--copy-frac", type=float, default=0.6)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--repeat-share", type=float, default=0.0, help="share of random-token repeats in the copy stream")
    ap.add_argument("--init-dir", help="continue from <dir>/<preset>.safetensors (fresh optimizer)")
    ap.add_argument("--prose", help="prose token file (default: train.py's)")
    ap.add_argument("--lr-scale", type=float, default=1.0)
    a = ap.parse_args()
    t_start = time.time()
    os.makedirs(a.out, exist_ok=True)
    logf = open(os.path.join(a.out, "train.log"), "a")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        logf.write(line + "\n")
        logf.flush()

    import copypool
    if not copypool.has_python_tokenizer():
        sys.exit("the Python 'tokenizers' package is missing on this machine")
    for text, ids in EXPECTED_IDS:
        got = copypool.encode_one(text)
        if got != ids:
            sys.exit(f"tokenizer mismatch on {text!r}: {got} != {ids}")
    log("tokenizer ids match the development machine's")
    smi = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True)
    log(f"GPU: {smi.stdout.strip()}; CPUs {os.cpu_count()}")

    t0 = time.time()
    stream = copypool.build_copy_stream(a.copy_tokens, seed=20261130 + (1 if a.init_dir else 0), repeat_share=a.repeat_share)
    path = "/tmp/copy-stream.npy"
    np.save(path, stream)
    log(f"copy-task stream: {len(stream):,} tokens in {time.time() - t0:.1f} s")

    procs = {}
    for preset in a.presets.split(","):
        run = f"/tmp/run/{preset}"
        os.makedirs(run, exist_ok=True)
        cmd = [sys.executable, "-u", os.path.join(HERE, "train.py"), "--preset", preset, "--device", "cuda",
               "--hours", str(a.minutes / 60), "--copy-stream", path, "--copy-frac", str(a.copy_frac),
               "--batch-size", str(a.batch_size), "--lr", str(LR.get(preset, 2e-3) * a.lr_scale), "--warmup-steps", "300",
               "--out", run, "--work", run + "/work", "--log", run + "/train.log", "--save-dtype", "F16",
               "--ckpt-minutes", "1.0", "--log-seconds", "20"]
        if a.init_dir:
            cmd += ["--init-from", os.path.join(a.init_dir, f"{preset}.safetensors")]
        if a.prose:
            cmd += ["--prose", a.prose]
        procs[preset] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(run + "/stderr.log", "w"))
        log(f"started {preset}: {' '.join(cmd[2:])}")

    def collect():
        for preset in procs:
            run = f"/tmp/run/{preset}"
            for src, dst in (("model.safetensors", f"{preset}.safetensors"), ("training_state.json", f"{preset}.json")):
                if os.path.exists(os.path.join(run, src)):
                    shutil.copyfile(os.path.join(run, src), os.path.join(a.out, dst + ".tmp"))
                    os.replace(os.path.join(a.out, dst + ".tmp"), os.path.join(a.out, dst))

    seen = {p: 0 for p in procs}
    while any(p.poll() is None for p in procs.values()):
        time.sleep(15)
        collect()
        for preset in procs:  # forward new log lines of every candidate into the one log that comes back
            lp = f"/tmp/run/{preset}/train.log"
            if os.path.exists(lp):
                lines = open(lp).read().splitlines()
                for line in lines[seen[preset]:]:
                    log(f"[{preset}] {line}")
                seen[preset] = len(lines)
    collect()
    for preset, p in procs.items():
        lp = f"/tmp/run/{preset}/train.log"
        if os.path.exists(lp):
            for line in open(lp).read().splitlines()[seen[preset]:]:
                log(f"[{preset}] {line}")
        err = open(f"/tmp/run/{preset}/stderr.log").read().strip()
        log(f"{preset} exit {p.returncode}" + (f"; stderr tail: {err[-1500:]}" if p.returncode else ""))
    log(f"total {time.time() - t_start:.0f} s")
    json.dump({"presets": list(procs), "exit": {k: p.returncode for k, p in procs.items()}},
              open(os.path.join(a.out, "summary.json"), "w"))


if __name__ == "__main__":
    main()
