import type { NodeProps } from '@xyflow/react';
import type { CatchNode } from '../../lib/flow-document';
import { useFlowStore } from '../../store';
import { NodeShell } from './NodeShell';
import { Ports } from './Ports';

/** try_catch takes no data edges: it shows which nodes it watches instead of input ports. */
export function CatchNodeView({ id, data, selected }: NodeProps<CatchNode>) {
  const entry = useFlowStore((s) => s.catalogIndex.get(data.nodeType));
  const scope = Array.isArray(data.config.scope) ? data.config.scope : [];
  return (
    <NodeShell id={id} data={data} entry={entry} selected={selected}>
      <div className="catch-scope" title={scope.join(', ') || undefined}>
        {scope.length === 0 ? 'watches every node before it' : `watches ${scope.length} node${scope.length === 1 ? '' : 's'}`}
      </div>
      <Ports side="out" ports={entry?.outputs ?? []} />
    </NodeShell>
  );
}
