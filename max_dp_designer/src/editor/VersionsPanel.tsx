import { useState } from 'react';
import { isDirty, useFlowStoreApi } from '../store';
import { useEditor, useEditorActions } from './EditorProvider';

/** Saved versions, newest first, each with restore. */
export function VersionsPanel() {
  const versions = useEditor((s) => s.versions);
  const open = useEditor((s) => s.versionsOpen);
  const latest = useEditor((s) => s.flow.latest_version);
  const actions = useEditorActions();
  const flowStore = useFlowStoreApi();
  const [busy, setBusy] = useState<number | null>(null);
  if (!open) return null;

  const restore = async (version: number) => {
    const dirty = isDirty(flowStore.getState());
    const ask = dirty
      ? `Restore version ${version}? Your unsaved changes will be lost.`
      : `Restore version ${version}? It replaces the flow's current document (the versions stay).`;
    if (!window.confirm(ask)) return;
    setBusy(version);
    await actions.restore(version);
    setBusy(null);
  };

  return (
    <aside className="versions-panel" aria-label="Versions">
      <header>
        <h2>Versions</h2>
        <button type="button" onClick={() => actions.toggleVersions(false)} aria-label="Close versions">
          ✕
        </button>
      </header>
      {versions === null && <p className="muted">Loading…</p>}
      {versions?.length === 0 && <p className="muted">No versions yet. “Save version” keeps one with a comment.</p>}
      <ol className="version-list">
        {versions?.map((v) => (
          <li key={v.version}>
            <div>
              <strong>v{v.version}</strong>
              {v.version === latest && <span className="badge">latest</span>}
              <time dateTime={v.created_at}>{new Date(v.created_at).toLocaleString()}</time>
            </div>
            {v.comment ? <p>{v.comment}</p> : <p className="muted">no comment</p>}
            <button type="button" onClick={() => void restore(v.version)} disabled={busy !== null}>
              {busy === v.version ? 'Restoring…' : 'Restore'}
            </button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
