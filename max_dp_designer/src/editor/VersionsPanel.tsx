import { useEffect, useState, type FormEvent } from 'react';
import { isDirty, useFlowStore, useFlowStoreApi } from '../store';
import { useEditor, useEditorActions } from './EditorProvider';
import { comparisonTitle, VersionComparison, type Comparison, type LoadDiff } from './VersionDiff';

/**
 * Saved versions, newest first, each with restore and compare (with the current document); two
 * versions compare through the form above the list. `loadDiff` asks the server (FlowEditor).
 */
export function VersionsPanel({ loadDiff }: { loadDiff: LoadDiff }) {
  const versions = useEditor((s) => s.versions);
  const open = useEditor((s) => s.versionsOpen);
  const latest = useEditor((s) => s.flow.latest_version);
  const actions = useEditorActions();
  const flowStore = useFlowStoreApi();
  const dirty = useFlowStore(isDirty);
  const revision = useFlowStore((s) => s.rev);
  const [busy, setBusy] = useState<number | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  useEffect(() => {
    if (!open) setComparison(null); // reopened, the drawer lists the versions again
  }, [open]);
  if (!open) return null;

  const restore = async (version: number) => {
    const unsaved = isDirty(flowStore.getState());
    const ask = unsaved
      ? `Restore version ${version}? Your unsaved changes will be lost.`
      : `Restore version ${version}? It replaces the flow's current document (the versions stay).`;
    if (!window.confirm(ask)) return;
    setBusy(version);
    await actions.restore(version);
    setBusy(null);
  };

  return (
    <aside className={comparison ? 'versions-panel comparing' : 'versions-panel'} aria-label="Versions">
      <header>
        <h2>Versions</h2>
        <button type="button" onClick={() => actions.toggleVersions(false)} aria-label="Close versions">
          ✕
        </button>
      </header>
      {comparison ? (
        <>
          <button type="button" className="link" onClick={() => setComparison(null)}>
            ← All versions
          </button>
          <VersionComparison comparison={comparison} load={loadDiff} unsaved={dirty} revision={revision} />
        </>
      ) : (
        <>
          {versions === null && <p className="muted">Loading…</p>}
          {versions?.length === 0 && <p className="muted">No versions yet. “Save version” keeps one with a comment.</p>}
          {versions && versions.length > 0 && (
            <CompareForm versions={versions.map((v) => v.version)} onCompare={setComparison} />
          )}
          <ol className="version-list">
            {versions?.map((v) => (
              <li key={v.version}>
                <div>
                  <strong>v{v.version}</strong>
                  {v.version === latest && <span className="badge">latest</span>}
                  <time dateTime={v.created_at}>{new Date(v.created_at).toLocaleString()}</time>
                </div>
                {v.comment ? <p>{v.comment}</p> : <p className="muted">no comment</p>}
                <div className="version-actions">
                  <button type="button" onClick={() => void restore(v.version)} disabled={busy !== null}>
                    {busy === v.version ? 'Restoring…' : 'Restore'}
                  </button>
                  <button
                    type="button"
                    aria-label={`Compare v${v.version} with the current document`}
                    title={`What changed since v${v.version} (the current saved document)`}
                    onClick={() => setComparison({ from: v.version, to: null })}
                  >
                    Compare
                  </button>
                </div>
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  );
}

/** From one version to another (or to the current document). */
function CompareForm({ versions, onCompare }: { versions: number[]; onCompare: (c: Comparison) => void }) {
  const oldest = versions[versions.length - 1]!;
  const [from, setFrom] = useState(String(versions.length > 1 ? versions[1]! : oldest));
  const [to, setTo] = useState(versions.length > 1 ? String(versions[0]!) : 'current');
  const comparison: Comparison = { from: Number(from), to: to === 'current' ? null : Number(to) };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onCompare(comparison);
  };
  return (
    <form className="compare-form" aria-label="Compare versions" onSubmit={submit}>
      <label>
        From
        <select aria-label="Compare from" value={from} onChange={(e) => setFrom(e.target.value)}>
          {versions.map((v) => (
            <option key={v} value={String(v)}>
              v{v}
            </option>
          ))}
        </select>
      </label>
      <label>
        to
        <select aria-label="Compare to" value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="current">current document</option>
          {versions.map((v) => (
            <option key={v} value={String(v)}>
              v{v}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={comparison.from === comparison.to} title={`Compare ${comparisonTitle(comparison)}`}>
        Compare
      </button>
    </form>
  );
}
