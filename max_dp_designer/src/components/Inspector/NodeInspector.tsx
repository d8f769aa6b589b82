import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConfigForm, type NodeChoice } from '../ConfigForm';
import { formatDuration, formatRows, withoutNodePrefix } from '../Canvas/format';
import { inputColumns, useFlowActions, useFlowStore } from '../../store';
import type { InspectorProps } from './Inspector';
import { RenameField } from './RenameField';

const NO_PROBLEMS: never[] = [];

export function NodeInspector({ id, onValidateExpression, nodeActions }: InspectorProps & { id: string }) {
  const node = useFlowStore((s) => s.nodes.find((n) => n.id === id));
  const entry = useFlowStore((s) => (node ? s.catalogIndex.get(node.data.nodeType) : undefined));
  const problems = useFlowStore((s) => s.problemsByNode[id] ?? NO_PROBLEMS);
  const run = useFlowStore((s) => s.run.nodes[id]);
  const columns = useFlowStore(useShallow((s) => inputColumns(s, id)));
  const others = useFlowStore(
    useShallow((s) => s.nodes.filter((n) => n.id !== id).map((n) => `${n.id}\u0000${n.data.label ?? ''}`)),
  );
  const actions = useFlowActions();
  const choices = useMemo<NodeChoice[]>(
    () => others.map((o) => o.split('\u0000')).map(([nid, label]) => ({ id: nid!, label: label || nid! })),
    [others],
  );
  const validate = useMemo(
    () => onValidateExpression && ((expression: string, field: string) => onValidateExpression(expression, field, id)),
    [onValidateExpression, id],
  );
  const errors = useMemo(() => {
    const out: Record<string, string> = {};
    for (const p of problems) if (p.field && !(p.field in out)) out[p.field] = withoutNodePrefix(p.message, id);
    return out;
  }, [problems, id]);

  if (!node) return null;
  return (
    <div className="node-inspector">
      <h2>{entry?.title ?? node.data.nodeType}</h2>
      {entry && <p className="muted">{entry.description}</p>}
      {nodeActions && <div className="node-actions">{nodeActions(id)}</div>}
      <IdField id={id} rename={actions.renameNode} />
      <div className="field">
        <label htmlFor="node-label">Label</label>
        <input
          id="node-label"
          type="text"
          value={node.data.label ?? ''}
          placeholder={entry?.title}
          onChange={(e) => actions.updateNode(id, { label: e.target.value })}
        />
      </div>
      {problems.length > 0 && (
        <ul className="problems" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i}>{withoutNodePrefix(p.message, id)}</li>
          ))}
        </ul>
      )}
      {run && (
        <p className={`run-summary status-${run.status}`}>
          {run.status}
          {run.duration_ms != null && ` in ${formatDuration(run.duration_ms)}`}
          {run.rows_in != null && `, ${formatRows(run.rows_in)} in`}
          {run.rows_out != null && `, ${formatRows(run.rows_out)} out`}
          {run.error && `: ${run.error.message}`}
          {run.reason && ` (${run.reason})`}
        </p>
      )}
      <h3>Settings</h3>
      {entry ? (
        <ConfigForm
          schema={entry.config_schema}
          value={node.data.config}
          onChange={(config) => actions.updateConfig(id, config)}
          columns={columns}
          nodes={choices}
          onValidate={validate}
          errors={errors}
        />
      ) : (
        <p className="muted">The server does not know the type {node.data.nodeType}: its settings cannot be edited.</p>
      )}
      {entry?.docs && (
        <details className="docs">
          <summary>About this node</summary>
          <pre>{entry.docs}</pre>
        </details>
      )}
    </div>
  );
}

/** The node id, renamed on Enter or when leaving the field; refused ids keep the old one. */
function IdField({ id, rename }: { id: string; rename: (id: string, newId: string) => string | null }) {
  return <RenameField inputId="node-id" label="Id" value={id} take={(next) => rename(id, next)} />;
}
