import { useShallow } from 'zustand/react/shallow';
import type { ExpressionValidator } from '../ConfigForm';
import { useFlowStore } from '../../store';
import { FlowSettings } from './FlowSettings';
import { NodeInspector } from './NodeInspector';

export interface InspectorProps {
  onValidateExpression?: ExpressionValidator;
}

/** The right-hand panel: the selected node's settings, or the flow's. */
export function Inspector(props: InspectorProps) {
  const selected = useFlowStore(useShallow((s) => s.nodes.filter((n) => n.selected).map((n) => n.id)));
  return (
    <aside className="inspector" aria-label="Inspector">
      {selected.length === 1 ? (
        <NodeInspector key={selected[0]} id={selected[0]!} {...props} />
      ) : selected.length > 1 ? (
        <p className="muted">
          {selected.length} nodes selected. Delete removes them; Ctrl+C copies them.
        </p>
      ) : (
        <FlowSettings />
      )}
    </aside>
  );
}
