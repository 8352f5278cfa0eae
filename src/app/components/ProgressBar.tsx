// A labelled progress bar for one stage (model download/preparation or an attribution phase).

import { STAGE_LABELS } from '../lib/format';
import type { ProgressInfo } from '../store';

function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} kB`;
}

export function stageText(p: ProgressInfo): string {
  const label = STAGE_LABELS[p.stage];
  switch (p.stage) {
    case 'download':
      return `${label}: ${p.detail} ${bytes(p.done)}${p.total ? ` of ${bytes(p.total)}` : ''}`;
    case 'compile':
    case 'load':
      return `${label}${p.detail ? `: ${p.detail}` : ''} (${p.done}/${p.total})`;
    case 'inspect':
      return `${label}: one pass`;
    case 'masked':
      return `${label}: ${p.done} of ${p.total} tokens`;
    case 'compare':
      return `${label}: ${p.detail} ${p.done}/${p.total}`;
    case 'hessian':
      return `${label}: ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} probes`;
    default: {
      const unreachable: never = p.stage;
      return String(unreachable);
    }
  }
}

/** `timeLeft`: appended to the label (e.g. "about 2 min 10 s left"). */
export function ProgressBar({ progress, testId, idleLabel, timeLeft }: { progress: ProgressInfo | null; testId: string; idleLabel: string; timeLeft?: string | null }) {
  const fraction = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : null;
  const stage = progress ? stageText(progress) : idleLabel;
  const text = timeLeft ? `${stage} · ${timeLeft}` : stage;
  return (
    <div className="progress" data-testid={testId} data-stage={progress?.stage ?? ''}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={text}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      >
        <div className={fraction === null ? 'progress-fill indeterminate' : 'progress-fill'} style={fraction === null ? undefined : { width: `${fraction * 100}%` }} />
      </div>
      <div className="progress-label" data-testid={`${testId}-label`}>
        {stage}
        {timeLeft && <span data-testid={`${testId}-time-left`}> · {timeLeft}</span>}
      </div>
    </div>
  );
}
