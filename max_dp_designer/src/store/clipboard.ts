// Copy/paste of selected nodes: pasted nodes get new ids, and edges between them follow.
import { edgeId, type DesignerEdge, type DesignerNode } from '../lib/flow-document';
import { uniqueId } from './ids';

export interface Clipboard {
  nodes: DesignerNode[];
  edges: DesignerEdge[];
}

export function copyNodes(nodes: readonly DesignerNode[], edges: readonly DesignerEdge[], ids: ReadonlySet<string>): Clipboard | null {
  if (ids.size === 0) return null;
  const picked = nodes.filter((n) => ids.has(n.id));
  const inner = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  return structuredClone({ nodes: picked, edges: inner });
}

/** New nodes and edges for a paste, `offset` away from the originals, selected. */
export function pasteClipboard(
  clip: Clipboard,
  taken: ReadonlySet<string>,
  offset: { x: number; y: number },
): { nodes: DesignerNode[]; edges: DesignerEdge[] } {
  const used = new Set(taken);
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = uniqueId(n.id, used);
    used.add(id);
    rename.set(n.id, id);
  }
  const nodes = clip.nodes.map((n) => {
    const copy = structuredClone(n);
    copy.id = rename.get(n.id)!;
    copy.position = { x: n.position.x + offset.x, y: n.position.y + offset.y };
    copy.selected = true;
    delete copy.measured;
    // A pasted try_catch watches the pasted copies of the nodes it watched.
    const scope = copy.data.config.scope;
    if (Array.isArray(scope)) copy.data.config.scope = scope.map((s) => (typeof s === 'string' ? (rename.get(s) ?? s) : s));
    return copy;
  });
  const edges = clip.edges.map((e): DesignerEdge => {
    const source = rename.get(e.source)!;
    const target = rename.get(e.target)!;
    const { data: _data, ...rest } = e;
    return {
      ...rest,
      id: edgeId(source, e.sourceHandle ?? null, target, e.targetHandle ?? null),
      source,
      target,
      selected: false,
    };
  });
  return { nodes, edges };
}
