import { useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { useEditorActions } from './EditorProvider';

export function SaveVersionDialog({ onClose }: { onClose: () => void }) {
  const actions = useEditorActions();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const ok = await actions.saveVersion(comment.trim());
    setBusy(false);
    if (ok) onClose();
  };
  return (
    <Dialog title="Save a version" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p className="muted">Saves the flow, then keeps this state as a new version that never changes.</p>
        <div className="field">
          <label htmlFor="version-comment">Comment</label>
          <textarea
            id="version-comment"
            rows={3}
            autoFocus
            value={comment}
            placeholder="What changed?"
            onChange={(e) => setComment(e.target.value)}
          />
        </div>
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save version'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
