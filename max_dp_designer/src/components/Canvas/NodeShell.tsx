import type { ReactNode } from 'react';
import type { CatalogEntry } from '../../lib/catalog';
import type { StepData } from '../../lib/flow-document';
import { useFlowStore } from '../../store';
import { NodeProblems } from './NodeProblems';
import { NodeStatus } from './NodeStatus';

interface NodeShellProps {
  id: string;
  data: StepData;
  entry: CatalogEntry | undefined;
  selected: boolean;
  children?: ReactNode;
}

/** What every node kind shows: title, id, run status, problems; the ports come as children. */
export function NodeShell({ id, data, entry, selected, children }: NodeShellProps) {
  const status = useFlowStore((s) => s.run.nodes[id]?.status);
  const hasProblems = useFlowStore((s) => (s.problemsByNode[id]?.length ?? 0) > 0);
  const classes = [
    'flow-node',
    `category-${(entry?.category ?? 'unknown').toLowerCase().replace(/[^a-z]+/g, '-')}`,
    selected && 'selected',
    hasProblems && 'has-problems',
    status && `status-${status}`,
    !entry && 'unknown-type',
  ].filter(Boolean);
  return (
    <div className={classes.join(' ')} data-node-id={id} data-node-type={data.nodeType}>
      <header className="flow-node-header" title={entry?.description}>
        <span className="flow-node-title">{data.label || entry?.title || data.nodeType}</span>
        <span className="flow-node-id">{id}</span>
      </header>
      {!entry && <div className="flow-node-warning">unknown type {data.nodeType}</div>}
      <div className="flow-node-body">{children}</div>
      <NodeStatus id={id} />
      <NodeProblems id={id} />
    </div>
  );
}
