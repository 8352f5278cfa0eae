// The dimensions in heta.json against the shapes the model itself declares: an edited vocabSize or
// numHeads would otherwise make the host code slice logits and attention at the wrong strides.

import type { GraphKind } from '../compiler/graphs';
import { BundleError, MANIFEST_FILE, type BundleManifest } from '../compiler/manifest';
import { passOutputName } from '../onnx/writer';
import type { GraphSession } from '../runtime/types';

/** Expected declared shape of each graph value; null where the dimension is symbolic (batch, sequence). */
function expectedShapes(c: BundleManifest['config']): Record<GraphKind, Record<string, (number | null)[]>> {
  const { hiddenSize: d, vocabSize: V, numLayers: L, numHeads: H, numKvHeads: Hkv, headDim: hd } = c;
  const _ = null;
  return {
    embed: { inputs_embeds: [_, _, d] },
    forward: { inputs_embeds: [_, _, d], logits: [_, _, V] },
    inspect: { inputs_embeds: [1, _, d], logits: [1, _, V], attention: [L, H, _, _], value_strength: [L, H, _], keys: [L, Hkv, _, hd], values: [L, Hkv, _, hd] },
    gradient: { inputs_embeds: [_, _, d], grad: [_, _, d] },
    hessianProbe: { inputs_embeds: [1, _, d], past_keys: [L, Hkv, _, hd], past_values: [L, Hkv, _, hd], probes: [_, d] },
  };
}

/** Throws a BundleError naming the pass, value and dimension where heta.json and the model disagree. */
export function checkGraphShapes(manifest: BundleManifest, session: GraphSession, label: string): void {
  const expected = expectedShapes(manifest.config);
  const declared = session.declaredShapes;
  for (const kind of Object.keys(expected) as GraphKind[]) {
    const outputs = manifest.model.passes[kind].outputs;
    for (const [name, want] of Object.entries(expected[kind])) {
      // Inputs are shared by every pass (declared once, merged); outputs are per pass.
      const got = declared[outputs.includes(name) ? passOutputName(kind, name) : name];
      if (!got) continue; // the runtime does not report shapes
      const mismatch = got.length !== want.length || want.some((dim, i) => dim !== null && typeof got[i] === 'number' && got[i] !== dim);
      if (mismatch) {
        throw new BundleError(
          `${label}: ${manifest.model.file} declares ${kind}'s ${name} as [${got.join(', ')}] but ${MANIFEST_FILE}'s config implies [${want.map((x) => x ?? '*').join(', ')}]: ` +
            `${MANIFEST_FILE} was edited or belongs to other graphs; convert the checkpoint again`,
        );
      }
    }
  }
}
