import { useReactFlow } from '@xyflow/react';
import { useRef, type ReactNode } from 'react';
import { parseFlowDocument } from '../../lib/flow-document';
import { isDirty, useFlowActions, useFlowStore } from '../../store';

/** Flow-wide commands: undo/redo, layout, check, import/export of the flow JSON. */
export function Toolbar({ children }: { children?: ReactNode }) {
  const name = useFlowStore((s) => s.meta.name);
  const canUndo = useFlowStore((s) => s.past.length > 0);
  const canRedo = useFlowStore((s) => s.future.length > 0);
  const dirty = useFlowStore(isDirty);
  const problemCount = useFlowStore((s) => s.problems.length);
  const actions = useFlowActions();
  const { fitView } = useReactFlow();
  const fileInput = useRef<HTMLInputElement>(null);

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(actions.toDocument(), null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = Object.assign(document.createElement('a'), { href: url, download: `${name || 'flow'}.json` });
    a.click();
    URL.revokeObjectURL(url);
  };

  const importJson = async (file: File) => {
    try {
      actions.load(parseFlowDocument(await file.text()));
      actions.validate();
      requestAnimationFrame(() => void fitView());
    } catch (err) {
      alert(`Cannot import ${file.name}: ${(err as Error).message}`);
    }
  };

  return (
    <header className="toolbar">
      <strong className="toolbar-name">{name}</strong>
      {dirty && (
        <span className="dirty" title="Unsaved changes">
          ● unsaved
        </span>
      )}
      <div className="toolbar-buttons">
        {children}
        <button type="button" onClick={actions.undo} disabled={!canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={actions.redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button
          type="button"
          onClick={() => {
            actions.layout();
            requestAnimationFrame(() => void fitView());
          }}
        >
          Auto-layout
        </button>
        <button type="button" onClick={() => actions.validate()} title="Problems found so far; the server rechecks as you edit">
          Check{problemCount > 0 ? ` (${problemCount})` : ''}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import JSON
        </button>
        <button type="button" onClick={exportJson}>
          Export JSON
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void importJson(file);
            e.target.value = '';
          }}
        />
      </div>
    </header>
  );
}
