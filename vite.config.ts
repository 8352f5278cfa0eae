import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** The app loads the demo bundle from /models/demo/bundle/: the dev server serves the repository root,
 * and a production build gets a copy next to its assets. */
function demoModelInBuild(): Plugin {
  return {
    name: 'heta-demo-model',
    apply: 'build',
    async writeBundle(options) {
      await cp('models/demo/bundle', join(options.dir ?? 'dist', 'models/demo/bundle'), { recursive: true });
    },
  };
}

// Cross-origin isolation lets onnxruntime-web use WebAssembly threads (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), demoModelInBuild()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // Pre-bundle the worker's CommonJS/ESM deps up front: otherwise a cold dev server discovers them when the
  // worker imports them and reloads the page mid-run.
  optimizeDeps: {
    exclude: ['onnxruntime-web'],
    include: ['onnx-proto', '@huggingface/tokenizers'],
    entries: ['index.html', 'src/worker/attribution.worker.ts'],
  },
  worker: { format: 'es' },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
