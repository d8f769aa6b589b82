// Validation problems: the browser's own checks (always fresh) merged with the server's last answer.
import type { DesignerNode } from '../lib/flow-document';
import type { Problem } from '../lib/graph-utils';

/** Codes validateLocally recomputes after every change: the server's copies of these go stale at once. */
export const LOCAL_CODES = new Set([
  'duplicate_id',
  'unknown_type',
  'dangling_edge',
  'unknown_port',
  'port_taken',
  'unconnected_input',
  'cycle',
  'unknown_scope',
]);

/** Ids of nodes added, removed or whose data changed between two node lists. */
export function changedNodeIds(prev: readonly DesignerNode[], next: readonly DesignerNode[]): Set<string> {
  const before = new Map(prev.map((n) => [n.id, n.data]));
  const changed = new Set<string>();
  for (const n of next) {
    if (before.get(n.id) !== n.data) changed.add(n.id);
    before.delete(n.id);
  }
  for (const id of before.keys()) changed.add(id);
  return changed;
}

/** The server problems still worth showing after an edit that touched `changed` nodes. */
export function keepServerProblems(server: Problem[], changed: ReadonlySet<string>): Problem[] {
  return server.filter((p) => !LOCAL_CODES.has(p.code) && !(p.node_id && changed.has(p.node_id)));
}

const keyOf = (p: Problem) => `${p.code}|${p.node_id}|${p.edge}|${p.field}`;

export function mergeProblems(server: Problem[], local: Problem[]): Problem[] {
  const seen = new Set(server.map(keyOf));
  return [...server, ...local.filter((p) => !seen.has(keyOf(p)))];
}

export function groupByNode(problems: Problem[]): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {};
  for (const p of problems) if (p.node_id) (out[p.node_id] ??= []).push(p);
  return out;
}
