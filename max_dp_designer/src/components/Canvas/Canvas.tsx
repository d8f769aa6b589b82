import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type IsValidConnection } from '@xyflow/react';
import { useCallback, useMemo, type DragEvent } from 'react';
import { canConnect } from '../../lib/graph-utils';
import type { DesignerEdge, DesignerNode } from '../../lib/flow-document';
import { useFlowActions, useFlowStore, useFlowStoreApi } from '../../store';
import { ConnectionHint } from './ConnectionHint';
import { NODE_TYPE_MIME } from './dnd';
import { labelEdges } from './edge-labels';
import { nodeTypes } from './nodeTypes';
import { Notice } from './Notice';
import { useShortcuts } from './useShortcuts';

const STATUS_COLORS: Record<string, string> = {
  running: '#2563eb',
  succeeded: '#16a34a',
  failed: '#dc2626',
  skipped: '#9ca3af',
};

/** The React Flow canvas bound to the flow store. */
export function Canvas() {
  const store = useFlowStoreApi();
  const nodes = useFlowStore((s) => s.nodes);
  const edges = useFlowStore((s) => s.edges);
  const catalogIndex = useFlowStore((s) => s.catalogIndex);
  const actions = useFlowActions();
  const { screenToFlowPosition } = useReactFlow();
  useShortcuts(actions);

  const isValidConnection = useCallback<IsValidConnection<DesignerEdge>>(
    (c) => {
      const { nodes: n, edges: e } = store.getState();
      return canConnect(catalogIndex, n, e, { ...c, sourceHandle: c.sourceHandle ?? null, targetHandle: c.targetHandle ?? null }).ok;
    },
    [store, catalogIndex],
  );

  const labelled = useMemo(() => labelEdges(nodes, edges, catalogIndex), [nodes, edges, catalogIndex]);

  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(NODE_TYPE_MIME);
    if (!type) return;
    e.preventDefault();
    actions.addNode(type, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };

  return (
    <div className="designer-canvas" onDrop={onDrop} onDragOver={onDragOver}>
      <ReactFlow<DesignerNode, DesignerEdge>
        nodes={nodes}
        edges={labelled}
        nodeTypes={nodeTypes}
        onNodesChange={actions.onNodesChange}
        onEdgesChange={actions.onEdgesChange}
        onConnect={actions.connect}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        fitView
        fitViewOptions={{ maxZoom: 1.2 }}
        minZoom={0.1}
        defaultEdgeOptions={{ interactionWidth: 16 }}
      >
        <Background gap={16} />
        <Controls />
        <MiniMap pannable zoomable nodeColor={(n) => minimapColor(store.getState(), n.id)} />
        <ConnectionHint />
        <Notice />
      </ReactFlow>
    </div>
  );
}

function onDragOver(e: DragEvent) {
  if (!e.dataTransfer.types.includes(NODE_TYPE_MIME)) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'move';
}

function minimapColor(state: { run: { nodes: Record<string, { status: string }> }; problemsByNode: Record<string, unknown[]> }, id: string) {
  if (state.problemsByNode[id]?.length) return '#dc2626';
  return STATUS_COLORS[state.run.nodes[id]?.status ?? ''] ?? '#94a3b8';
}

/** Adds a node of `type` at the centre of the visible canvas. */
export function useAddAtCenter() {
  const { screenToFlowPosition } = useReactFlow();
  const { addNode } = useFlowActions();
  return useCallback(
    (type: string) => {
      const rect = document.querySelector('.designer-canvas')?.getBoundingClientRect();
      const point = rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 } : { x: 0, y: 0 };
      const at = screenToFlowPosition(point);
      addNode(type, { x: at.x - 100, y: at.y - 40 });
    },
    [screenToFlowPosition, addNode],
  );
}
