// The held-out copy items that `heta lm-check` scores (models/eval/copy-heldout.jsonl) must be what
// the recipe's generator writes from its held-out templates and pools, and the recipe's training-only
// phrasings must never carry a held-out template: otherwise the accuracy the README reports would
// not measure generalization to unseen phrasings. Plain python3 (no torch), as on every machine.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RECIPE = path.resolve('models/recipe');

function python(code: string): string {
  return execFileSync('python3', ['-c', code], { cwd: RECIPE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('held-out copy items', () => {
  it('are exactly what copytasks.py writes (the committed files are reproducible)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'heta-heldout-'));
    try {
      execFileSync('python3', ['copytasks.py', '--write-eval', dir], { cwd: RECIPE, stdio: 'ignore' });
      for (const f of ['copy-heldout.jsonl', 'copy-heldout-curated.json']) {
        expect(await readFile(path.join(dir, f), 'utf8'), f).toBe(await readFile(path.join('models/eval', f), 'utf8'));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('never appear among the training phrasings, and a phrasing that carries one is refused', () => {
    // Importing copytasks runs phrasings.check on the real lists; then the same check is fed a
    // training phrasing with the held-out "pet" template's words, which it must refuse.
    const out = python(`
import copytasks, phrasings
phrasings.EXTRA_FRAMES["pet"].append(("{P} owns a {animal} called {pet}.", [("What is the name of {p}'s {animal}?", "pet", "what is the name of")]))
try:
    phrasings.check(copytasks.FRAMES, copytasks.IOI, copytasks.REPEAT, copytasks.AGREE)
    print("accepted")
except ValueError as e:
    print("refused:", e)
`);
    expect(out).toMatch(/^refused: .*owns/);
  }, 60_000);

  it('training-only verbs exclude the held-out verbs, and a held-out verb among them is refused', () => {
    const out = python(`
import copytasks, phrasings
held = copytasks.POOLS["verb"]["heldout"]
g = copytasks.Gen(3, "train")
print(len(set(g.p["verb"]) & set(held)), len(g.p["verb"]) - len(copytasks.POOLS["verb"]["train"]))
phrasings.EXTRA_VERBS.append(held[0])
try:
    phrasings.check_verbs(held)
    print("accepted")
except ValueError as e:
    print("refused:", e)
`);
    const [counts, verdict] = out.trim().split('\n');
    const [overlap, extra] = counts.split(' ').map(Number);
    expect(overlap).toBe(0);
    expect(extra).toBeGreaterThan(100);
    expect(verdict).toMatch(/^refused: .*held-out verbs/);
  }, 60_000);

  it('training text uses the extra phrasings, held-out text only the held-out templates', () => {
    const out = python(`
import copytasks, phrasings
train = " ".join(copytasks.training_texts(5, 3000))
held = " ".join(it["prompt"] for it in copytasks.heldout_items())
extra = [s.split("{")[0].strip() for s, _ in sum(phrasings.EXTRA_FRAMES.values(), []) if not s.startswith("{")]
print(sum(e in train for e in extra), len(extra), sum(e in held for e in extra if len(e) > 8))
`);
    const [seen, total, leaked] = out.trim().split(' ').map(Number);
    expect(seen).toBeGreaterThan(total * 0.8);
    expect(leaked).toBe(0);
  }, 60_000);
});
