// "Your model": a Hugging Face model id (or a repository URL on any hub with the standard layout) with
// its revision, a local folder picked or dropped anywhere on the page, the hub address and
// quantization, and the bundles already stored in this browser.

import { useEffect, useRef, useState } from 'react';
import { formatHubSpec, normalizeHubUrl, parseHubInput, localSpec, type QuantScheme } from '../engine';
import { folderFromDrop, folderFromFileList, type PickedFolder } from '../lib/folderFiles';
import { saveHubSettings } from '../lib/hubSettings';
import { updateLocationHash } from '../lib/link';
import { useActions, useApp, useBridge } from './context';
import { StoredModelsList } from './StoredModelsList';
import { SuggestedModels } from './SuggestedModels';

export function ModelPicker() {
  const hubUrl = useApp((s) => s.hubUrl);
  const quant = useApp((s) => s.quant);
  const backend = useApp((s) => s.backend);
  const loading = useApp((s) => s.modelStatus === 'loading');
  const actions = useActions();
  const bridge = useBridge();
  const [id, setId] = useState('');
  const [revision, setRevision] = useState('main');
  const [hubDraft, setHubDraft] = useState(hubUrl);
  const [inputError, setInputError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  useEffect(() => setHubDraft(hubUrl), [hubUrl]);
  useEffect(() => folderInput.current?.setAttribute('webkitdirectory', ''), []);

  const setSettings = (nextHub: string, nextQuant: QuantScheme) => {
    actions.setHubSettings(nextHub, nextQuant);
    saveHubSettings({ hubUrl: nextHub, quant: nextQuant });
  };

  const loadSpec = (spec: string, files?: PickedFolder['files']) => {
    actions.setModelSource(spec, backend);
    updateLocationHash({ model: spec, backend });
    void bridge.loadModel({ files });
  };

  const loadId = (input = id) => {
    try {
      const ref = parseHubInput(input, { hubUrl: hubDraft, revision });
      setInputError(null);
      setSettings(ref.hubUrl, quant);
      loadSpec(formatHubSpec(ref));
    } catch (e) {
      setInputError(e instanceof Error ? e.message : String(e));
    }
  };

  const loadFolder = (folder: PickedFolder | null) => {
    if (!folder) {
      setInputError('That folder has no files at its top level.');
      return;
    }
    setInputError(null);
    loadSpec(localSpec(folder.label), folder.files);
  };

  // Drop a folder or files anywhere on the page.
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(false);
      void folderFromDrop(e.dataTransfer).then(loadFolder, (err) => setInputError(`Could not read the dropped files: ${String(err)}`));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  });

  return (
    <>
    <details className="model-picker" data-testid="byom" onToggle={(e) => (e.currentTarget.open ? void bridge.refreshStoredModels() : undefined)}>
      <summary data-testid="byom-toggle">Your model…</summary>
      <div className="model-picker-panel">
        <form
          className="byom-row"
          onSubmit={(e) => {
            e.preventDefault();
            loadId();
          }}
        >
          <label className="byom-id">
            Hugging Face model id or URL
            <input data-testid="byom-id" value={id} onChange={(e) => setId(e.target.value)} placeholder="HuggingFaceTB/SmolLM2-135M" spellCheck={false} />
          </label>
          <label className="byom-revision">
            Revision
            <input data-testid="byom-revision" value={revision} onChange={(e) => setRevision(e.target.value)} spellCheck={false} />
          </label>
          <button type="submit" data-testid="byom-load" disabled={loading || !id.trim()}>
            Download and compile
          </button>
        </form>
        <SuggestedModels
          quant={quant}
          disabled={loading}
          onLoad={(hubId) => {
            setId(hubId);
            loadId(hubId);
          }}
        />
        <div className="byom-row">
          <label className="byom-folder">
            Local folder (checkpoint or bundle)
            <input ref={folderInput} type="file" multiple data-testid="byom-folder" onChange={(e) => e.target.files && loadFolder(folderFromFileList(e.target.files))} />
          </label>
          <span className="muted">or drop a folder anywhere on the page</span>
        </div>
        {inputError && (
          <div className="byom-error" role="alert" data-testid="byom-error">
            {inputError}
          </div>
        )}
        <details className="byom-advanced" data-testid="byom-advanced">
          <summary>Advanced</summary>
          <div className="byom-row">
            <label className="byom-hub">
              Hub address
              <input
                data-testid="byom-hub-url"
                value={hubDraft}
                onChange={(e) => setHubDraft(e.target.value)}
                onBlur={() => {
                  try {
                    setSettings(normalizeHubUrl(hubDraft), quant);
                  } catch (e) {
                    setInputError(e instanceof Error ? e.message : String(e));
                  }
                }}
                spellCheck={false}
              />
            </label>
            <label>
              Quantization
              <select data-testid="byom-quant" value={quant} onChange={(e) => setSettings(hubUrl, e.target.value as QuantScheme)}>
                <option value="q8">q8 (recommended)</option>
                <option value="q4">q4 (smallest)</option>
                <option value="none">none (float32)</option>
              </select>
            </label>
          </div>
        </details>
        <StoredModelsList onLoad={(spec, storedHub, storedQuant) => {
          setSettings(storedHub ?? hubUrl, storedQuant);
          loadSpec(spec);
        }} />
      </div>
    </details>
    {dragging && <div className="byom-drop-hint">Drop a checkpoint or bundle folder to load it</div>}
    </>
  );
}
