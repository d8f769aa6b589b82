// Plain functions behind the server-connected editor: what to send for a preview, how answers
// map back onto nodes and fields, and paging of preview rows.
import type { FlowDocument } from '../lib/flow-document';
import { upstreamOf, type Problem } from '../lib/graph-utils';

/** `nodeId` and everything it depends on: all a preview of that node needs. */
export function subDocument(doc: FlowDocument, nodeId: string): FlowDocument {
  const keep = new Set([nodeId, ...upstreamOf(doc.edges, nodeId)]);
  const nodes = doc.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => {
      const scope = n.config?.scope;
      // A try_catch upstream may watch nodes that are not part of the preview.
      if (!Array.isArray(scope)) return n;
      return { ...n, config: { ...n.config, scope: scope.filter((s) => keep.has(String(s))) } };
    });
  const edges = doc.edges.filter((e) => keep.has(e.source) && keep.has(e.target));
  return { ...doc, nodes, edges };
}

/** A key that changes when anything that decides `nodeId`'s output changes (not positions). */
export function outputKey(doc: FlowDocument, nodeId: string): string {
  const sub = subDocument(doc, nodeId);
  return JSON.stringify({
    parameters: sub.parameters ?? [],
    nodes: sub.nodes.map((n) => [n.id, n.type, n.config ?? {}]),
    edges: sub.edges.map((e) => [e.source, e.source_port ?? null, e.target, e.target_port ?? null]),
  });
}

/** Sets `config.<field>` (a dotted path, "aggregations.0.expr") of node `nodeId` in a copy of `doc`. */
export function withConfigValue(doc: FlowDocument, nodeId: string, field: string, value: unknown): FlowDocument {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, config: setPath(n.config ?? {}, field.split('.'), value) } : n)),
  };
}

function setPath(target: unknown, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(target) ? [...target] : { ...(target as Record<string, unknown>) };
  const key = head!;
  const child = rest.length === 0 ? value : setPath((copy as Record<string, unknown>)[key] ?? (/^\d+$/.test(rest[0]!) ? [] : {}), rest, value);
  (copy as Record<string, unknown>)[key] = child;
  return copy as Record<string, unknown>;
}

/**
 * The message for one field of one node among the server's problems, without the prefixes the
 * form already shows ("node 'kr': condition: invalid syntax" -> "invalid syntax"); null if none.
 */
export function fieldProblem(problems: readonly Problem[], nodeId: string, field: string): string | null {
  const hit = problems.find((p) => p.node_id === nodeId && p.field === field);
  if (!hit) return null;
  let message = hit.message;
  for (const prefix of [`node '${nodeId}': `, `${field}: `]) if (message.startsWith(prefix)) message = message.slice(prefix.length);
  return message;
}

export interface PreviewColumn {
  name: string;
  dtype: string;
  nulls: number | null;
}

/** Output column names per node in a preview answer: what column pickers downstream offer. */
export function previewColumns(result: { nodes: Record<string, { columns?: Array<Record<string, unknown>> }> }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, node] of Object.entries(result.nodes)) {
    if (node.columns && node.columns.length > 0) out[id] = node.columns.map((c) => String(c.name));
  }
  return out;
}

export function toColumns(raw: ReadonlyArray<Record<string, unknown>> | undefined): PreviewColumn[] {
  return (raw ?? []).map((c) => ({
    name: String(c.name),
    dtype: String(c.dtype ?? ''),
    nulls: typeof c.nulls === 'number' ? c.nulls : null,
  }));
}

export const PAGE_SIZE = 25;

export interface Page<T> {
  rows: T[];
  page: number;
  pages: number;
  from: number;
  to: number;
}

/** One page of rows (0-based `page`, clamped into range). */
export function pageOf<T>(rows: readonly T[], page: number, size = PAGE_SIZE): Page<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const start = p * size;
  const slice = rows.slice(start, start + size);
  return { rows: slice, page: p, pages, from: slice.length ? start + 1 : 0, to: start + slice.length };
}

/** A cell as text: null shows as a marker, objects as JSON. */
export function formatCell(value: unknown): { text: string; isNull: boolean } {
  if (value === null || value === undefined) return { text: 'null', isNull: true };
  if (typeof value === 'object') return { text: JSON.stringify(value), isNull: false };
  return { text: String(value), isNull: false };
}

/** A short, readable dtype ("float64" -> "float", "datetime64[ns, UTC]" -> "datetime"). */
export function shortType(dtype: string): string {
  const d = dtype.toLowerCase();
  if (d.startsWith('int') || d.startsWith('uint') || d.startsWith('int')) return 'int';
  if (d.startsWith('float')) return 'float';
  if (d.startsWith('datetime')) return 'datetime';
  if (d === 'bool' || d === 'boolean') return 'bool';
  if (d === 'object' || d === 'str' || d === 'string') return 'text';
  return dtype;
}

export const FINISHED = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'crashed']);
