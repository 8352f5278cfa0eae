// The model error banner: a bundle that fails to load or a crashed worker. The rest of the app stays
// usable; "Try again" reloads with the current address and backend.

import { useApp, useBridge } from './context';

export function ErrorBanner() {
  const error = useApp((s) => s.modelError);
  const bridge = useBridge();
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <strong>Model problem.</strong> <span data-testid="error-banner-text">{error}</span>
      <button type="button" onClick={() => void bridge.loadModel()}>
        Try again
      </button>
    </div>
  );
}
