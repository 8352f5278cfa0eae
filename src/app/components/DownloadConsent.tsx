// The prompt a link gets when it names a model on another host: what would be downloaded, from where,
// and why we ask. Nothing leaves this page's origin until the user presses Download (see linkPolicy.ts);
// sizes and per-file progress show once the download runs, from the bundle's manifest or the hub.

import type { DownloadRequest } from '../lib/linkPolicy';
import { useApp, useBridge } from './context';

function Facts({ request }: { request: DownloadRequest }) {
  if (request.kind === 'hub') {
    return (
      <dl className="consent-facts">
        <dt>Model</dt>
        <dd data-testid="consent-model">
          {request.repo}
          {request.revision !== 'main' ? ` at revision ${request.revision}` : ''}
        </dd>
        <dt>From</dt>
        <dd>
          <code>{request.url}</code>
        </dd>
        <dt>Size</dt>
        <dd>
          Not known yet: after you agree, the hub is asked for config.json and the file sizes first, and a model too large for this device is
          refused before its weights are downloaded. It is then compiled here ({request.quant}) and stored in this browser.
        </dd>
      </dl>
    );
  }
  return (
    <dl className="consent-facts">
      <dt>Bundle</dt>
      <dd>
        <code data-testid="consent-url">{request.url}</code>
      </dd>
      <dt>Size</dt>
      <dd>Not known yet: read from the bundle's heta.json after you agree. Each file is downloaded only up to the size heta.json announces.</dd>
    </dl>
  );
}

export function DownloadConsent() {
  const request = useApp((s) => (s.modelStatus === 'consent' ? s.pendingDownload : null));
  const bridge = useBridge();
  if (!request) return null;
  const here = globalThis.location?.host ?? 'this app';
  return (
    <section className="banner banner-consent" role="alertdialog" aria-labelledby="consent-title" aria-describedby="consent-why" data-testid="download-consent" data-host={request.host}>
      <div className="consent-body">
        <h2 id="consent-title">
          Download a model from <strong data-testid="consent-host">{request.host}</strong>?
        </h2>
        <p>
          The link you opened asks this page to download {request.kind === 'hub' ? 'a model from a model hub' : 'a model bundle'} from{' '}
          <strong>{request.host}</strong>, a different site than this app ({here}). Nothing has been downloaded yet.
        </p>
        <Facts request={request} />
        <p className="muted" id="consent-why">
          Why we ask: anyone can write a link. Downloading sends requests to {request.host} (it sees your address) and can take a lot of data.
          {request.kind === 'hub'
            ? ` Files are requested only from ${request.host} (a hub may hand large files to its own download servers).`
            : ` Files are requested only from this folder on ${request.host}, never through redirects.`}{' '}
          Bundles stored in this browser and this app's own models load without asking.
        </p>
      </div>
      <div className="consent-actions">
        <button type="button" className="primary" data-testid="consent-load" onClick={() => void bridge.confirmDownload()}>
          Download from {request.host}
        </button>
        <button type="button" data-testid="consent-cancel" onClick={() => bridge.declineDownload()}>
          Don't download
        </button>
      </div>
    </section>
  );
}
