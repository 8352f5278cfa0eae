// Bundles stored in this browser: what, how large, when; load one again (no network) or delete it.

import { type QuantScheme, formatBytes } from '../engine';
import { fmtCount } from '../lib/format';
import { useApp, useBridge } from './context';

export function StoredModelsList({ onLoad }: { onLoad: (spec: string, hubUrl: string | null, quant: QuantScheme) => void }) {
  const stored = useApp((s) => s.storedModels);
  const loading = useApp((s) => s.modelStatus === 'loading');
  const bridge = useBridge();
  if (!stored) return null;
  const total = stored.models.reduce((sum, m) => sum + m.bytes, 0);
  return (
    <section className="stored-models" data-testid="stored-models" aria-label="Stored models">
      <h3>
        Stored in this browser{' '}
        <span className="muted" data-testid="stored-total">
          {stored.models.length} model{stored.models.length === 1 ? '' : 's'}, {formatBytes(total)}
          {stored.usage ? ` (browser storage used ${formatBytes(stored.usage.usedBytes)} of ${formatBytes(stored.usage.quotaBytes)})` : ''}
        </span>
      </h3>
      {stored.models.length === 0 ? (
        <p className="muted">Nothing stored yet: models you download or open from a folder are stored here after compiling.</p>
      ) : (
        <ul>
          {stored.models.map((m) => (
            <li key={m.key} data-testid="stored-model" data-spec={m.spec}>
              <span className="stored-name">{m.modelId}</span>
              <span className="muted">
                {m.architecture} · {fmtCount(m.parameters)} params · {m.quant} · <span data-testid="stored-size">{formatBytes(m.bytes)}</span>
                {m.hubUrl ? ` · ${m.hubUrl}` : ''}
              </span>
              <button type="button" data-testid="stored-load" disabled={loading} onClick={() => onLoad(m.spec, m.hubUrl, m.quant)}>
                Load
              </button>
              <button type="button" data-testid="stored-delete" onClick={() => void bridge.deleteStoredModel(m.key)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
