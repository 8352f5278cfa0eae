// The page: header with the model card, the banners (model error, a link's download prompt, link
// settings not used), and the grid of panels.

import { ComparePanel } from './ComparePanel';
import { DownloadConsent } from './DownloadConsent';
import { ErrorBanner } from './ErrorBanner';
import { GenerationPanel } from './GenerationPanel';
import { HeatmapPanel } from './HeatmapPanel';
import { Inspector } from './Inspector';
import { LayerGraphPanel } from './LayerGraphPanel';
import { LinkProblems } from './LinkProblems';
import { ModelCard } from './ModelCard';
import { ParamsPanel } from './ParamsPanel';
import { PromptPanel } from './PromptPanel';
import { SharePanel } from './SharePanel';
import { TargetPicker } from './TargetPicker';
import { useApp } from './context';

export function App() {
  const workerRuns = useApp((s) => s.workerRuns);
  return (
    <div className="app" data-testid="app" data-worker-runs={workerRuns}>
      <header className="app-header">
        <div className="brand">
          <h1>HETA Lens</h1>
          <p>Why did the model predict that? Token attribution with Hessian-enhanced HETA, in your browser.</p>
        </div>
        <ModelCard />
      </header>
      <ErrorBanner />
      <DownloadConsent />
      <LinkProblems />
      <main className="layout">
        <div className="controls">
          <PromptPanel />
          <TargetPicker />
          <ParamsPanel />
          <SharePanel />
        </div>
        <HeatmapPanel />
        <LayerGraphPanel />
        <Inspector />
        <GenerationPanel />
        <ComparePanel />
      </main>
    </div>
  );
}
