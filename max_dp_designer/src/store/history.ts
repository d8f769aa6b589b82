// Undo/redo history of document snapshots (immutable, so a snapshot is a few references).
import type { DesignerEdge, DesignerNode, FlowMeta } from '../lib/flow-document';

export interface Snapshot {
  meta: FlowMeta;
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  /** Revision of this state; the store is dirty while its revision is not the saved one. */
  rev: number;
}

export const DEFAULT_HISTORY_LIMIT = 100;

/** `past` with `snap` appended, oldest entries dropped past `limit`. */
export function pushSnapshot(past: readonly Snapshot[], snap: Snapshot, limit: number): Snapshot[] {
  const next = [...past, snap];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
