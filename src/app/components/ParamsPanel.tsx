// β and γ recombine the final score instantly from the cached components; m, seed and adaptive probing set the next run.

import { type ComponentScaling, LIMITS, withinLimit, DEFAULT_PARAMS } from '../engine';
import { useApp, useActions } from './context';

function Weight({ name, value, onChange, testId, limit }: { name: string; value: number; onChange: (v: number) => void; testId: string; limit: 'beta' | 'gamma' }) {
  return (
    <div className="weight">
      <label htmlFor={testId}>{name}</label>
      <input id={testId} data-testid={testId} type="range" min={0} max={2} step={0.05} value={value} onChange={(e) => onChange(Number(e.target.value))} />
      <input
        type="number"
        aria-label={`${name} value`}
        data-testid={`${testId}-number`}
        min={LIMITS[limit].min}
        max={LIMITS[limit].max}
        step={0.05}
        value={value}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && withinLimit(limit, v)) onChange(v);
        }}
      />
    </div>
  );
}

export function ParamsPanel() {
  const beta = useApp((s) => s.beta);
  const gamma = useApp((s) => s.gamma);
  const scaling = useApp((s) => s.scaling);
  const m = useApp((s) => s.m);
  const seed = useApp((s) => s.seed);
  const adaptive = useApp((s) => s.adaptive);
  const actions = useActions();
  return (
    <section className="panel params-panel" aria-labelledby="params-heading">
      <h2 id="params-heading">Score</h2>
      <p className="formula" data-testid="formula">
        {scaling === 'raw' ? (
          <>
            Attr<sub>i</sub> = M<sub>i</sub> · (β S<sub>i</sub> + γ I<sub>i</sub>)
          </>
        ) : (
          <>
            Attr<sub>i</sub> = M<sub>i</sub> · (β S<sub>i</sub>/ΣS + γ I<sub>i</sub>/ΣI)
          </>
        )}
      </p>
      <label className="toggle" title="Raw: the paper's combination, where S (often hundreds) outweighs I (often below 1) whatever γ is. Normalized: S and I each divided by their sum over the context, so β and γ trade Hessian sensitivity against KL impact. Recombined at once, no new run.">
        S and I
        <select data-testid="scaling-select" value={scaling} onChange={(e) => actions.setScaling(e.target.value as ComponentScaling)}>
          <option value="raw">raw (as in the paper)</option>
          <option value="normalized">each normalized over the context</option>
        </select>
      </label>
      <Weight name="β (Hessian S)" value={beta} testId="beta-slider" limit="beta" onChange={(v) => actions.setWeights(v, gamma)} />
      <Weight name="γ (KL I)" value={gamma} testId="gamma-slider" limit="gamma" onChange={(v) => actions.setWeights(beta, v)} />
      <div className="run-params">
        <label>
          probes m
          <input
            type="number"
            data-testid="m-input"
            min={LIMITS.m.min}
            max={LIMITS.m.max}
            step={1}
            value={m}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (v >= LIMITS.m.min) actions.setRunParams(Math.min(LIMITS.m.max, v), seed);
            }}
          />
        </label>
        <label title={`Each token stops once the standard error of its S is at most ${DEFAULT_PARAMS.seTarget * 100}% of the largest S (after ${DEFAULT_PARAMS.minProbes} probes); m is then the most. About half the passes on the demo model; the ranking can differ slightly from fixed m.`}>
          <input type="checkbox" data-testid="adaptive-toggle" checked={adaptive} onChange={(e) => actions.setAdaptive(e.target.checked)} />
          Faster (adaptive)
        </label>
        <label>
          seed
          <input
            type="number"
            data-testid="seed-input"
            min={LIMITS.seed.min}
            max={LIMITS.seed.max}
            step={1}
            value={seed}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value));
              if (withinLimit('seed', v)) actions.setRunParams(m, v);
            }}
          />
        </label>
      </div>
      <p className="hint">β and γ apply instantly; m, seed and adaptive apply to the next run.</p>
    </section>
  );
}
