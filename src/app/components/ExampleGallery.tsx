// "Try an example": a disclosure listing the gallery's prompts; choosing one puts it in the prompt box
// and runs it. While the prompt is an example's, the line on what to look for stays beside it.

import { useState } from 'react';
import { EXAMPLES, exampleFor } from '../lib/examples';
import { DEFAULT_MODEL_URL } from '../store/modelSlice';
import { useActions, useApp, useBridge } from './context';

export function ExampleGallery() {
  const [open, setOpen] = useState(false);
  const current = useApp((s) => exampleFor(s.prompt));
  const demoLoaded = useApp((s) => s.modelUrl === DEFAULT_MODEL_URL && s.model !== null);
  const actions = useActions();
  const bridge = useBridge();

  return (
    <div className="examples" data-testid="examples">
      <button type="button" className="link-button" aria-expanded={open} data-testid="examples-toggle" onClick={() => setOpen(!open)}>
        {open ? 'Hide examples' : 'Try an example'}
      </button>
      {open && (
        <ul className="example-list" aria-label="Example prompts (written for the demo model)">
          {EXAMPLES.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                data-testid={`example-${e.id}`}
                onClick={() => {
                  setOpen(false);
                  actions.setPrompt(e.prompt);
                  actions.setRunError(null);
                  void bridge.run();
                }}
              >
                <strong>{e.title}</strong>
                <span className="example-prompt">{e.prompt}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {current && (
        <p className="example-note" data-testid="example-note">
          <strong>{current.title}.</strong> {current.look}
          {demoLoaded && <span className="hint"> (The demo model answers “{current.answer.trim()}”.)</span>}
        </p>
      )}
    </div>
  );
}
