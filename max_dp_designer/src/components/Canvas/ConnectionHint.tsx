import { Panel, useConnection } from '@xyflow/react';
import { canConnect } from '../../lib/graph-utils';
import { useFlowStoreApi } from '../../store';

/** While a connection is dragged over a handle, says why it would be refused. */
export function ConnectionHint() {
  const store = useFlowStoreApi();
  const reason = useConnection((c) => {
    if (!c.inProgress || !c.toNode || !c.toHandle) return null;
    const fromSource = c.fromHandle.type === 'source';
    const connection = fromSource
      ? { source: c.fromNode.id, sourceHandle: c.fromHandle.id ?? null, target: c.toNode.id, targetHandle: c.toHandle.id ?? null }
      : { source: c.toNode.id, sourceHandle: c.toHandle.id ?? null, target: c.fromNode.id, targetHandle: c.fromHandle.id ?? null };
    const { catalogIndex, nodes, edges } = store.getState();
    const result = canConnect(catalogIndex, nodes, edges, connection);
    return result.ok ? null : result.reason;
  });
  if (!reason) return null;
  return (
    <Panel position="top-center" className="connection-hint" role="status">
      {reason}
    </Panel>
  );
}
