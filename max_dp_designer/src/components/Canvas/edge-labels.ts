import type { CatalogIndex } from '../../lib/catalog';
import type { DesignerEdge, DesignerNode } from '../../lib/flow-document';

/** Edges leaving a node with several outputs (true/false, out/rejected) labelled with their port. */
export function labelEdges(nodes: readonly DesignerNode[], edges: DesignerEdge[], catalog: CatalogIndex): DesignerEdge[] {
  const typeOf = new Map(nodes.map((n) => [n.id, n.data.nodeType]));
  return edges.map((e) => {
    const outputs = catalog.get(typeOf.get(e.source) ?? '')?.outputs.length ?? 0;
    return outputs > 1 && e.sourceHandle && !e.label ? { ...e, label: e.sourceHandle } : e;
  });
}
