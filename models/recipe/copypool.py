"""Token streams for training: the generated copy tasks of copytasks.py, encoded with the demo
model's tokenizer, one <|endoftext|> (id 0) after every document.

Encoding uses the Python `tokenizers` package where it is installed (the GPU machine) and otherwise
the recipe's node script (encode.mjs, the same Rust tokenizer through its node binding); both give
the ids tokenizer.mjs checked against the app's tokenizer.
"""
import os
import subprocess
import tempfile
from multiprocessing import Pool

import numpy as np

import copytasks

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER = os.path.abspath(os.path.join(HERE, "..", "demo", "tokenizer.json"))
EOT = "<|endoftext|>"
_tok = None


def _python_tokenizer():
    global _tok
    if _tok is None:
        from tokenizers import Tokenizer  # noqa: PLC0415 (optional dependency)
        _tok = Tokenizer.from_file(TOKENIZER)
    return _tok


def has_python_tokenizer():
    try:
        _python_tokenizer()
        return True
    except ImportError:
        return False


def encode_documents(texts):
    """uint16 stream: each text's ids followed by id 0."""
    if has_python_tokenizer():
        parts = []
        for enc in _python_tokenizer().encode_batch(texts, add_special_tokens=False):
            parts.append(np.asarray(enc.ids + [0], dtype=np.uint16))
        return np.concatenate(parts)
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.txt"), os.path.join(d, "out.bin")
        with open(src, "w") as f:
            f.write(EOT.join(texts))
        subprocess.run(["node", os.path.join(HERE, "encode.mjs"), src, dst], check=True, stdout=subprocess.DEVNULL)
        return np.fromfile(dst, dtype=np.uint16)


def encode_one(text):
    return encode_documents([text])[:-1].tolist()


def _chunk(args):
    """Generated documents, plus (when repeat_share > 0) sequences of random token ids written twice:
    the plainest copying signal, which makes induction heads form early in training."""
    seed, n_docs, repeat_share, frame_weights = (args + (0.0, None))[:4]
    text = encode_documents(copytasks.training_texts(seed, n_docs, frame_weights))
    if repeat_share <= 0:
        return text
    rng = np.random.default_rng(seed)
    docs = np.split(text, np.flatnonzero(text == 0)[:-1] + 1)
    n_rep = int(len(docs) * repeat_share / (1 - repeat_share))
    for _ in range(n_rep):
        seq = rng.integers(1, 4096, size=int(rng.integers(5, 40)), dtype=np.uint16)
        docs.append(np.concatenate([seq, seq, np.zeros(1, np.uint16)]))
    order = rng.permutation(len(docs))
    return np.concatenate([docs[i] for i in order])


def build_copy_stream(n_tokens, seed, procs=None, docs_per_chunk=20000, repeat_share=0.0, frame_weights=None):
    """At least n_tokens of generated training documents (chunks generated in parallel, each with
    its own seed derived from `seed`)."""
    avg_tokens = 60  # measured mean tokens per generated document (checked below, extended if short)
    n_chunks = max(1, -(-n_tokens // (avg_tokens * docs_per_chunk)))
    jobs = [(seed * 100003 + i, docs_per_chunk, repeat_share, frame_weights) for i in range(n_chunks)]
    procs = procs or min(len(jobs), os.cpu_count() or 1)
    if procs > 1 and has_python_tokenizer():
        with Pool(procs) as pool:
            parts = pool.map(_chunk, jobs)
    else:
        parts = [_chunk(j) for j in jobs]
    out = np.concatenate(parts)
    i = n_chunks
    while len(out) < n_tokens:
        out = np.concatenate([out, _chunk((seed * 100003 + i, docs_per_chunk, repeat_share, frame_weights))])
        i += 1
    return out
