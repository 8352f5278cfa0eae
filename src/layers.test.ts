// The folder tree is the architecture (README, "Architecture"): the pure engine at the bottom, the worker
// that hosts it above it, the UI on top; the CLI and its Node file access drive the same engine. This test
// reads every import of src/**/*.ts(x) and fails, naming the file and the import, on one that points the
// wrong way, on onnxruntime outside the runtime adapters, and on a cycle between engine folders.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Import {
  /** Importing file, relative to the repository root. */
  file: string;
  line: number;
  specifier: string;
  /** What a relative specifier names, relative to the repository root (without extension); null for a package. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** Static, dynamic and type-only imports and re-exports, as TypeScript's own pre-parser finds them. */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName, pos }) => ({
    file,
    line: text.slice(0, pos).split('\n').length,
    specifier: fileName,
    target: fileName.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), fileName)).replace(/\.(tsx?|mjs)$/, '') : null,
  }));
}

const isTest = (file: string) => /\.test\.tsx?$/.test(file);
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const show = (i: Import) => `${i.file}:${i.line} imports '${i.specifier}'`;

const ALL = sourceFiles('src').flatMap(importsOf);

/** Folders each layer must not import from. Tests obey the same rules, except that an engine test, which runs
 * in Node, may read a shipped bundle from disk through src/node. */
const FORBIDDEN: Record<string, { folders: string[]; why: string }> = {
  'src/engine': { folders: ['src/worker', 'src/app', 'src/cli', 'src/node'], why: 'the engine is the bottom layer: hosts import it, never the reverse' },
  'src/worker': { folders: ['src/app', 'src/cli', 'src/node'], why: 'the worker hosts the engine in the browser, below the UI' },
  'src/app': { folders: ['src/cli', 'src/node'], why: 'the UI runs in the browser, on the worker, not on the Node hosts' },
  'src/node': { folders: ['src/worker', 'src/app', 'src/cli'], why: 'Node file access sits between the engine and the CLI' },
  'src/cli': { folders: ['src/worker', 'src/app'], why: 'the CLI drives the engine from Node, not the browser hosts' },
};

/** Layers whose modules (tests aside) must not use test support: what ships must not depend on fixtures. The
 * CLI's benchmarks may (they build random checkpoints of real shapes with it). */
const SHIPPED = ['src/engine', 'src/worker', 'src/app', 'src/node'];

/** The app's one door to the engine and the worker: the rest of the UI imports them through it. */
const APP_FACADE = 'src/app/engine';

/** Each import that breaks FORBIDDEN, SHIPPED or the app's facade rule, with the file, the import and the rule. */
function upwardImports(imports: readonly Import[]): string[] {
  return imports.flatMap((i) => {
    if (!i.target) return [];
    const belowApp = under(i.target, 'src/engine') || under(i.target, 'src/worker');
    if (!isTest(i.file) && under(i.file, 'src/app') && i.file.replace(/\.tsx?$/, '') !== APP_FACADE && belowApp) {
      return [`${show(i)}: the UI reaches the engine and the worker through ${APP_FACADE}.ts`];
    }
    const [layer, rule] = Object.entries(FORBIDDEN).find(([l]) => under(i.file, l)) ?? [];
    const nodeFromEngineTest = isTest(i.file) && layer === 'src/engine' && under(i.target, 'src/node');
    if (rule && !nodeFromEngineTest && rule.folders.some((f) => under(i.target!, f))) return [`${show(i)}: ${rule.why}`];
    if (!isTest(i.file) && SHIPPED.some((l) => under(i.file, l)) && under(i.target, 'src/testing')) return [`${show(i)}: test support is for tests`];
    return [];
  });
}

/** The runtime adapters are the only modules that load onnxruntime; everything else goes through runtime/types. */
const ONNXRUNTIME_ALLOWED: Record<string, string> = {
  'onnxruntime-node': 'src/engine/runtime/nodeRuntime.ts',
  'onnxruntime-web': 'src/engine/runtime/webRuntime.ts',
};

/** Engine folder (or top-level engine module) of a path under src/engine, else null. */
function engineUnit(path: string): string | null {
  const m = /^src\/engine\/([^/]+?)(?:\.tsx?)?(?:\/|$)/.exec(path);
  return m ? m[1] : null;
}

/** Edges between engine units of production modules, each with the imports that make it. */
function engineGraph(imports: readonly Import[]): Map<string, Map<string, Import[]>> {
  const graph = new Map<string, Map<string, Import[]>>();
  for (const i of imports) {
    if (isTest(i.file) || !i.target) continue;
    const from = engineUnit(i.file);
    const to = engineUnit(i.target);
    if (!from || !to || from === to) continue;
    const edges = graph.get(from) ?? graph.set(from, new Map()).get(from)!;
    edges.set(to, [...(edges.get(to) ?? []), i]);
  }
  return graph;
}

/** One cycle per strongly connected group of units, as the chain of imports that closes it. */
function cycles(graph: Map<string, Map<string, Import[]>>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const visit = (unit: string, path: string[]): void => {
    const at = path.indexOf(unit);
    if (at >= 0) {
      const loop = [...path.slice(at), unit];
      const steps = loop.slice(1).map((to, k) => `${loop[k]} → ${to} (${show(graph.get(loop[k])!.get(to)![0])})`);
      found.push(steps.join('; '));
      return;
    }
    if (done.has(unit)) return;
    for (const next of graph.get(unit)?.keys() ?? []) visit(next, [...path, unit]);
    done.add(unit);
  };
  for (const unit of [...graph.keys()].sort()) visit(unit, []);
  return found;
}

describe('layers', () => {
  it('finds the imports it checks', () => {
    // Guards the parser: the engine's own model import and a package import are seen where they are.
    expect(ALL.some((i) => i.file === 'src/engine/attribution/heta.ts' && i.target === 'src/engine/model/attributionModel')).toBe(true);
    expect(ALL.some((i) => i.file === 'src/engine/runtime/nodeRuntime.ts' && i.specifier === 'onnxruntime-node')).toBe(true);
  });

  it('no layer imports a layer above it, and nothing that ships imports test support', () => {
    expect(upwardImports(ALL)).toEqual([]);
  });

  it('reports an upward import with its file, line and rule', () => {
    // The rules themselves, on made-up imports: the engine reaching into the worker, a shipped module into
    // the fixtures, and an engine test reading files through src/node (allowed).
    const imports: Import[] = [
      { file: 'src/engine/model/x.ts', line: 2, specifier: '../../worker/protocol', target: 'src/worker/protocol' },
      { file: 'src/node/y.ts', line: 4, specifier: '../testing/tinyModel', target: 'src/testing/tinyModel' },
      { file: 'src/engine/model/z.test.ts', line: 6, specifier: '../../node/bundleFiles', target: 'src/node/bundleFiles' },
      { file: 'src/app/components/W.tsx', line: 8, specifier: '../../engine/units', target: 'src/engine/units' },
      { file: 'src/app/engine.ts', line: 9, specifier: '../engine/units', target: 'src/engine/units' },
    ];
    expect(upwardImports(imports)).toEqual([
      "src/engine/model/x.ts:2 imports '../../worker/protocol': the engine is the bottom layer: hosts import it, never the reverse",
      "src/node/y.ts:4 imports '../testing/tinyModel': test support is for tests",
      "src/app/components/W.tsx:8 imports '../../engine/units': the UI reaches the engine and the worker through src/app/engine.ts",
    ]);
  });

  it('only the runtime adapters import onnxruntime', () => {
    const wrong = ALL.filter((i) => /^onnxruntime-/.test(i.specifier) && ONNXRUNTIME_ALLOWED[i.specifier.split('/')[0]] !== i.file).map(
      (i) => `${show(i)}: only ${Object.values(ONNXRUNTIME_ALLOWED).join(' and ')} load onnxruntime`,
    );
    expect(wrong).toEqual([]);
  });

  it('engine folders depend on each other one way (no cycles)', () => {
    expect(cycles(engineGraph(ALL))).toEqual([]);
  });

  it('reports a cycle with the imports that close it', () => {
    // The detector itself, on a made-up pair of modules that import each other.
    const a: Import = { file: 'src/engine/a/x.ts', line: 3, specifier: '../b/y', target: 'src/engine/b/y' };
    const b: Import = { file: 'src/engine/b/y.ts', line: 5, specifier: '../a/x', target: 'src/engine/a/x' };
    expect(cycles(engineGraph([a, b]))).toEqual(["a → b (src/engine/a/x.ts:3 imports '../b/y'); b → a (src/engine/b/y.ts:5 imports '../a/x')"]);
  });
});
