// Settings of the opened link that were out of range or unreadable: named, with what is allowed; the
// current values were kept for them.

import { useActions, useApp } from './context';

export function LinkProblems() {
  const problems = useApp((s) => s.linkProblems);
  const actions = useActions();
  if (problems.length === 0) return null;
  return (
    <div className="banner banner-warning" role="status" data-testid="link-problems">
      <div>
        <strong>Some settings of this link were not used</strong> (the current values are kept):
        <ul>
          {problems.map((p) => (
            <li key={p} data-testid="link-problem">
              {p}
            </li>
          ))}
        </ul>
      </div>
      <button type="button" onClick={() => actions.setLinkProblems([])}>
        Dismiss
      </button>
    </div>
  );
}
