// Per-file progress of a model download (the total is the progress bar above it).

import { formatBytes } from '../engine';
import { useApp } from './context';

export function DownloadFiles() {
  const files = useApp((s) => s.loadFiles);
  if (!files || files.length === 0) return null;
  return (
    <ul className="download-files" data-testid="download-files">
      {files.map((f) => (
        <li key={f.name} data-testid="download-file" data-done={f.total !== null && f.loaded >= f.total}>
          <span className="download-name">{f.name}</span>
          <span className="muted">
            {formatBytes(f.loaded)}
            {f.total !== null ? ` / ${formatBytes(f.total)}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
