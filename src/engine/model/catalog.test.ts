import { describe, expect, it } from 'vitest';
import { attributionFlops } from './cost';
import { parameterCount, storedWeightBytes } from './memoryPlan';
import { CATALOG, catalogEstimate, ESTIMATE_TOKENS } from './catalog';

describe('suggested models', () => {
  it('parse as the families they are, with the parameter counts their model cards state', () => {
    const params = Object.fromEntries(CATALOG.map((m) => [m.hubId, parameterCount(m.config)]));
    expect(params['openai-community/gpt2']).toBe(124_439_808);
    expect(params['HuggingFaceTB/SmolLM2-135M']).toBe(134_515_008);
    expect(params['HuggingFaceTB/SmolLM2-360M']).toBe(361_821_120);
    expect(params['Qwen/Qwen2.5-0.5B']).toBe(494_032_768);
  });

  it('estimate time from the measured speed, and nothing without one', () => {
    const [gpt2] = CATALOG;
    const device = { deviceBytes: 16 * 2 ** 30, gpuMaxBufferBytes: null };
    expect(catalogEstimate(gpt2, 'q8', device, null).seconds).toBeNull();
    expect(catalogEstimate(gpt2, 'q8', device, 10).seconds).toBeCloseTo(attributionFlops(gpt2.config, ESTIMATE_TOKENS, 10) / 1e10, 6);
    expect(catalogEstimate(gpt2, 'q4', device, 10).bundleBytes).toBe(storedWeightBytes(gpt2.config, 'q4'));
    expect(catalogEstimate(gpt2, 'q8', device, 10).plan.verdict).not.toBe('refused');
  });
});
