// The token inspector: M, S ± standard error, I, βS, γI, final score and rank for the selected
// token; M per layer (bars) and S over the probes (strip).

import { useMemo, useRef } from 'react';
import { probesUsed } from '../engine';
import { layerBarsChart } from '../charts/layerBars';
import { probeStripChart } from '../charts/probeStrip';
import { fmt, rankText, visibleToken } from '../lib/format';
import { selectRanks, selectScores } from '../store/selectors';
import { ChartMount } from './ChartMount';
import { useActions, useApp, useBridge } from './context';
import { useWidth } from './useWidth';

/** One component's value; null while it is pending (shown as "—", never as a number). */
function Row({ name, value, testId, detail }: { name: string; value: number | null; testId: string; detail?: string }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td data-testid={testId} data-value={value ?? undefined}>
        {value === null ? '—' : fmt(value)}
        {detail && <span className="muted"> {detail}</span>}
      </td>
    </tr>
  );
}

export function Inspector() {
  const selected = useApp((s) => s.selected);
  const result = useApp((s) => s.result);
  const preview = useApp((s) => s.preview);
  const scores = useApp(selectScores);
  const ranks = useApp(selectRanks);
  const beta = useApp((s) => s.beta);
  const gamma = useApp((s) => s.gamma);
  const scaling = useApp((s) => s.scaling);
  const actions = useActions();
  const bridge = useBridge();
  const bodyRef = useRef<HTMLDivElement>(null);
  const width = useWidth(bodyRef, 300);

  const tokens = result?.tokens ?? preview?.tokens ?? [];
  const i = selected !== null && selected < tokens.length ? selected : null;
  const inContext = result !== null && i !== null && i < result.target.position;
  const c = result?.components;
  // What β and γ multiply: the raw S and I, or each divided by its sum over the context.
  const sum = (v: number[]) => v.reduce((a, x) => a + x, 0);
  const [sDiv, iDiv] = c && scaling === 'normalized' ? [sum(c.S) || 1, sum(c.I) || 1] : [1, 1];

  // Adaptive probing stops tokens at different counts: token i used probes 0 … probeCount − 1.
  const probeCount = result && inContext ? probesUsed(result, i!) : 0;
  const bars = useMemo(() => (inContext && c ? layerBarsChart(c.M_layers.map((layer) => layer[i!]), { width: Math.min(width, 420) }, document) : null), [inContext, c, i, width]);
  const strip = useMemo(
    () => (inContext && c && probeCount ? probeStripChart({ probes: c.S_probes.slice(0, probeCount).map((round) => round[i!] ?? NaN), mean: c.S[i!], stderr: c.S_stderr[i!] }, { width: Math.min(width, 420) }, document) : null),
    [inContext, c, i, width, probeCount],
  );

  return (
    <section className="panel inspector" aria-labelledby="inspector-heading" data-testid="inspector" data-position={i ?? ''}>
      <div className="panel-head">
        <h2 id="inspector-heading">Token inspector</h2>
        {i !== null && (
          <button type="button" className="link" onClick={() => actions.select(null)} aria-label="Close the inspector">
            Close
          </button>
        )}
      </div>
      <div ref={bodyRef} className="inspector-body" aria-live="polite">
        {i === null ? (
          <p className="hint">Click a token of the text (or Tab to it and press Enter) to see its components.</p>
        ) : (
          <>
            <p className="inspector-token">
              <span className="token-chip" data-testid="inspector-token">
                {visibleToken(tokens[i].text)}
              </span>{' '}
              position {i}, id {tokens[i].id}
              {tokens[i].special && ' (special token)'}
            </p>
            {inContext && c && scores && ranks ? (
              <>
                <table className="components">
                  <tbody>
                    {ranks[i] === null ? (
                      <Row name="Final score" value={null} testId="inspector-score" detail="pending: this token's S is not computed yet" />
                    ) : (
                      <Row name="Final score" value={scores[i]} testId="inspector-score" detail={rankText(ranks, i)!} />
                    )}
                    <Row name="M (transition)" value={c.M[i]} testId="inspector-M" />
                    <Row name="S (Hessian)" value={probeCount ? c.S[i] : null} testId="inspector-S" detail={probeCount ? `± ${fmt(c.S_stderr[i])} s.e.` : 'pending'} />
                    <Row name="I (KL impact)" value={c.I[i]} testId="inspector-I" />
                    <Row name={scaling === 'normalized' ? `β·S/ΣS (β = ${beta})` : `β·S (β = ${beta})`} value={(beta * c.S[i]) / sDiv} testId="inspector-betaS" />
                    <Row name={scaling === 'normalized' ? `γ·I/ΣI (γ = ${gamma})` : `γ·I (γ = ${gamma})`} value={(gamma * c.I[i]) / iDiv} testId="inspector-gammaI" />
                  </tbody>
                </table>
                <span className="hidden" data-testid="inspector-rank" data-value={ranks[i] ?? ''} />
                <h3 title="Σ over heads of Φ·ν: how much of the target row's attention flow reaches this token through layer l, times the strength ‖v W_O‖₁ of its value vector there. Summed over layers, clamped at 0 and normalized over the context, these give M. Comparable between layers and tokens; not a probability.">
                  M per layer <span className="muted">(attention flow × value strength, before normalization)</span>
                </h3>
                <ChartMount svg={bars} data-testid="inspector-layers" />
                <h3 data-testid="inspector-probe-count" data-value={probeCount}>
                  S over {probeCount} probe{probeCount === 1 ? '' : 's'}
                  {result.sensitivity?.probing === 'adaptive' ? ` (adaptive, at most ${result.params.m})` : ''}
                </h3>
                {strip ? <ChartMount svg={strip} data-testid="inspector-probes" /> : <p className="hint">This token's probes are not done yet.</p>}
              </>
            ) : (
              <p className="hint">{result && i >= result.target.position ? (i === result.target.position ? 'This is the target token.' : 'After the target: the model does not read it for this target.') : 'No attribution yet.'}</p>
            )}
            {i >= 1 && !(result?.target.kind === 'position' && result.target.position === i) && (
              <button type="button" data-testid="inspector-make-target" onClick={() => void bridge.runFor({ kind: 'position', position: i })}>
                Make this token the target
              </button>
            )}
          </>
        )}
      </div>
    </section>
  );
}
