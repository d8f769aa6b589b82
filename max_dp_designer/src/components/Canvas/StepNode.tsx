import type { NodeProps } from '@xyflow/react';
import { useMemo } from 'react';
import type { Port } from '../../lib/catalog';
import type { StepNode } from '../../lib/flow-document';
import { useFlowStore } from '../../store';
import { NodeShell } from './NodeShell';
import { Ports } from './Ports';

const port = (name: string): Port => ({ name, description: '', many: false, optional: true });

/** The generic node: catalog ports as handles. */
export function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const entry = useFlowStore((s) => s.catalogIndex.get(data.nodeType));
  // A type the server does not know (a plugin not installed): keep handles for the edges it has.
  const wired = useFlowStore((s) =>
    entry
      ? ''
      : s.edges
          .flatMap((e) => [e.target === id ? `in:${e.targetHandle ?? 'in'}` : '', e.source === id ? `out:${e.sourceHandle ?? 'out'}` : ''])
          .filter(Boolean)
          .sort()
          .join('|'),
  );
  const [inputs, outputs] = useMemo(() => {
    if (entry) return [entry.inputs, entry.outputs];
    const names = [...new Set(wired.split('|').filter(Boolean))];
    const side = (s: string) => names.filter((n) => n.startsWith(`${s}:`)).map((n) => port(n.slice(s.length + 1)));
    return [side('in'), side('out')];
  }, [entry, wired]);
  return (
    <NodeShell id={id} data={data} entry={entry} selected={selected}>
      <Ports side="in" ports={inputs} />
      <Ports side="out" ports={outputs} />
    </NodeShell>
  );
}
