// Models the picker suggests by name: the real hub ids we support and expect to fit, each with its
// download, bundle size and memory at the chosen quantization, checked against this device, and the time
// of a 32-token attribution scaled from the speed this device measured on the last run.

import { useEffect, useState } from 'react';
import { CATALOG, catalogEstimate, ESTIMATE_TOKENS, type DeviceMemory, formatBytes, formatSeconds, readDeviceMemory, type QuantScheme } from '../engine';
import { measuredGflops } from '../lib/deviceSpeed';
import { useApp } from './context';

export function SuggestedModels({ quant, disabled, onLoad }: { quant: QuantScheme; disabled: boolean; onLoad(hubId: string): void }) {
  const model = useApp((s) => s.model);
  const result = useApp((s) => s.result);
  const final = useApp((s) => s.resultFinal);
  const [device, setDevice] = useState<DeviceMemory>({ deviceBytes: null, gpuMaxBufferBytes: null });
  useEffect(() => {
    void readDeviceMemory('wasm').then(setDevice);
  }, []);
  const gflops = measuredGflops(model, result, final);
  return (
    <table className="suggested-models" data-testid="suggested-models">
      <caption>
        Suggested models ({quant}). Time: one HETA attribution of {ESTIMATE_TOKENS} tokens, m = 10,{' '}
        {gflops
          ? `at the ${gflops.toFixed(1)} GFLOP/s this device measured on the last run`
          : 'estimated once this device has finished a run of real size (e.g. the demo model on a 32-token prompt)'}
        .
      </caption>
      <thead>
        <tr>
          <th>Model</th>
          <th>Download</th>
          <th>Weights</th>
          <th>Memory</th>
          <th>Time</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {CATALOG.map((m) => {
          const e = catalogEstimate(m, quant, device, gflops);
          return (
            <tr key={m.hubId} data-testid="suggested-model" data-verdict={e.plan.verdict}>
              <td>
                <code>{m.hubId}</code> <span className="muted">{m.note}</span>
              </td>
              <td>{formatBytes(m.checkpointBytes)}</td>
              <td>{formatBytes(e.bundleBytes)}</td>
              <td title={e.plan.message} className={`memory-${e.plan.verdict}`}>
                {e.plan.verdict === 'refused' ? 'too large here' : e.plan.verdict === 'downsized' ? 'fits, reduced' : 'fits'}
              </td>
              <td>{e.seconds === null ? '—' : `≈ ${formatSeconds(e.seconds)}`}</td>
              <td>
                <button type="button" disabled={disabled || e.plan.verdict === 'refused'} onClick={() => onLoad(m.hubId)} data-testid="suggested-load">
                  Load
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
