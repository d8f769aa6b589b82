import { useShallow } from 'zustand/react/shallow';
import type { ReactNode } from 'react';
import { useFlowStore } from '../../store';
import { FlowSettings } from './FlowSettings';
import type { ParameterRenamer, ParameterSlot } from './ParametersEditor';
import { NodeInspector } from './NodeInspector';

/** Checks an expression typed into `field` of node `nodeId`: an error message, or null. */
export type NodeExpressionValidator = (
  expression: string,
  field: string,
  nodeId: string,
) => Promise<string | null> | string | null;

export interface InspectorProps {
  onValidateExpression?: NodeExpressionValidator;
  /** Extra commands shown for the selected node ("Run to here"). */
  nodeActions?: (nodeId: string) => ReactNode;
  /** Extra controls for each flow parameter in the flow settings (test values). */
  parameterTestValue?: ParameterSlot;
  /** Renames a parameter's uses with its declaration (the server's rename). */
  renameParameter?: ParameterRenamer;
}

/** The right-hand panel: the selected node's settings, or the flow's. */
export function Inspector({ parameterTestValue, renameParameter, ...props }: InspectorProps) {
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
        <FlowSettings parameterTestValue={parameterTestValue} renameParameter={renameParameter} />
      )}
    </aside>
  );
}
