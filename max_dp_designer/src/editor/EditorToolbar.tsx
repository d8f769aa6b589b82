import { useEffect, useState } from 'react';
import { formatDuration } from '../components/Canvas/format';
import { Link } from '../router';
import { isDirty, selectedNodeIds, useFlowStore } from '../store';
import { useEditor, useEditorActions } from './EditorProvider';
import { FINISHED } from './logic';
import { SaveVersionDialog } from './SaveVersionDialog';

/** Save, versions, run and preview: the commands that talk to the server. */
export function EditorToolbar() {
  const actions = useEditorActions();
  const dirty = useFlowStore(isDirty);
  const saving = useEditor((s) => s.saving);
  const versionsOpen = useEditor((s) => s.versionsOpen);
  const latest = useEditor((s) => s.flow.latest_version);
  const run = useEditor((s) => s.run);
  const selected = useFlowStore((s) => {
    const ids = selectedNodeIds(s);
    return ids.length === 1 ? ids[0]! : null;
  });
  const [versionDialog, setVersionDialog] = useState(false);
  const running = run !== null && !FINISHED.has(run.status);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void actions.save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);

  return (
    <>
      <button type="button" className="primary" onClick={() => void actions.save()} disabled={!dirty || saving} title="Save (Ctrl+S)">
        {saving ? 'Saving…' : 'Save'}
      </button>
      <button type="button" onClick={() => setVersionDialog(true)} disabled={saving}>
        Save version…
      </button>
      <button type="button" aria-pressed={versionsOpen} onClick={() => actions.toggleVersions()}>
        Versions{latest > 0 ? ` (${latest})` : ''}
      </button>
      <button
        type="button"
        onClick={() => selected && void actions.previewNode(selected)}
        disabled={!selected}
        title={selected ? `Preview the output of ${selected}` : 'Select a node to preview its output'}
      >
        Run to here
      </button>
      {running ? (
        <button type="button" className="danger" onClick={() => void actions.cancelRun()}>
          Cancel run
        </button>
      ) : (
        <button type="button" className="run" onClick={() => void actions.run()} title="Save, then run the whole flow">
          ▶ Run
        </button>
      )}
      {run && <RunChip />}
      <FlowLinks />
      {versionDialog && <SaveVersionDialog onClose={() => setVersionDialog(false)} />}
    </>
  );
}

/** The flow's other screens; leaving with unsaved changes asks first (the leave guard). */
function FlowLinks() {
  const flow = useEditor((s) => s.flow);
  return (
    <span className="flow-links">
      <Link to={`/flows/${flow.id}/publish`}>Publish</Link>
      <Link to={`/flows/${flow.id}/schedules`}>Schedules</Link>
      <Link to={`/runs?workspace_id=${flow.workspace_id}&flow_id=${flow.id}`}>Runs</Link>
    </span>
  );
}

function RunChip() {
  const run = useEditor((s) => s.run)!;
  const duration = useFlowStore((s) => s.run.duration_ms);
  return (
    <Link to={`/runs/${run.runId}`} className={`run-chip status-${run.status}`} title={run.error ?? 'Open the run'} data-testid="run-chip">
      run {run.status}
      {duration != null && FINISHED.has(run.status) ? ` in ${formatDuration(duration)}` : ''}
    </Link>
  );
}

/** The message of the last save, run or restore. */
export function EditorMessage() {
  const message = useEditor((s) => s.message);
  const actions = useEditorActions();
  useEffect(() => {
    if (message?.kind !== 'success') return;
    const t = setTimeout(() => actions.say(null), 3000);
    return () => clearTimeout(t);
  }, [message, actions]);
  if (!message) return null;
  return (
    <div className={`editor-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
      {message.text}
      <button type="button" onClick={() => actions.say(null)} aria-label="Dismiss">
        ✕
      </button>
    </div>
  );
}
