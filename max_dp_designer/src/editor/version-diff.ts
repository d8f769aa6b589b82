// The server's diff of two flow documents (GET /flows/{id}/diff, flow_store/diff.py), made
// readable: what was added, removed and changed, with before -> after values taken from the two
// documents. The server names what changed; the documents say what it was and became.
import type { FlowDocument } from '../lib/flow-document';

/** An edge as the diff identifies it: its endpoints. */
export interface DiffEdge {
  source: string;
  source_port: string | null;
  target: string;
  target_port: string | null;
}

/** GET /flows/{id}/diff (flow_store/schemas.py FlowDiff; its sections are typed loosely there). */
export interface FlowDiffAnswer {
  flow_id: string;
  from_version: number;
  /** null: the flow's current (saved) document. */
  to_version: number | null;
  /** Top-level document fields that changed: name, description, schema_version, timeout_s. */
  fields: string[];
  nodes: { added: string[]; removed: string[]; changed: Array<{ node_id: string; fields: string[] }> };
  edges: { added: DiffEdge[]; removed: DiffEdge[]; changed: Array<DiffEdge & { fields: string[] }> };
  parameters: { added: string[]; removed: string[]; changed: Array<{ name: string; fields: string[] }> };
}

/** One changed field: its name and the two values, as text. */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface NodeRef {
  id: string;
  type: string | null;
  label: string | null;
}

export interface NodeChange extends NodeRef {
  /** Config keys first (`condition`, …), then type, label and the node's other fields. */
  changes: FieldChange[];
  /** The node also moved on the canvas (counted in `moved`, not listed here). */
  moved: boolean;
}

export interface ReadableDiff {
  empty: boolean;
  fields: FieldChange[];
  nodes: { added: NodeRef[]; removed: NodeRef[]; changed: NodeChange[]; moved: string[] };
  edges: { added: string[]; removed: string[]; changed: string[] };
  parameters: { added: string[]; removed: string[]; changed: Array<{ name: string; changes: FieldChange[] }> };
}

const MAX_VALUE = 120;

/** A value for people: strings quoted, JSON otherwise, long ones cut; a missing one "(not set)". */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

export function describeEdge(e: DiffEdge): string {
  const end = (node: string, port: string | null) => (port ? `${node}.${port}` : node);
  return `${end(e.source, e.source_port)} → ${end(e.target, e.target_port)}`;
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const section = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** The answer with every section present (the schema types them as open objects). */
export function normalizeDiff(raw: unknown): FlowDiffAnswer {
  const r = section(raw);
  const nodes = section(r.nodes);
  const edges = section(r.edges);
  const parameters = section(r.parameters);
  return {
    flow_id: String(r.flow_id ?? ''),
    from_version: Number(r.from_version),
    to_version: r.to_version == null ? null : Number(r.to_version),
    fields: list<string>(r.fields),
    nodes: { added: list(nodes.added), removed: list(nodes.removed), changed: list(nodes.changed) },
    edges: { added: list(edges.added), removed: list(edges.removed), changed: list(edges.changed) },
    parameters: { added: list(parameters.added), removed: list(parameters.removed), changed: list(parameters.changed) },
  };
}

type Doc = Partial<FlowDocument> | null | undefined;
type Item = Record<string, unknown>;

function byKey(items: unknown, key: string): Map<string, Item> {
  const out = new Map<string, Item>();
  for (const item of list<Item>(items)) if (item && typeof item === 'object' && key in item) out.set(String(item[key]), item);
  return out;
}

/** The value a diff field path (`config.condition`, `label`) names in an item. */
function valueAt(item: Item | undefined, path: string): unknown {
  if (!item) return undefined;
  if (path.startsWith('config.')) {
    const config = item.config;
    return config && typeof config === 'object' ? (config as Item)[path.slice('config.'.length)] : undefined;
  }
  return item[path];
}

const change = (before: Item | undefined, after: Item | undefined, field: string, name = field): FieldChange => ({
  field: name,
  before: formatValue(valueAt(before, field)),
  after: formatValue(valueAt(after, field)),
});

const FIELD_ORDER = (f: string) => (f.startsWith('config.') ? 0 : f === 'type' ? 1 : f === 'label' ? 2 : 3);

function ref(id: string, item: Item | undefined): NodeRef {
  const type = item?.type;
  const label = item?.label;
  return { id, type: typeof type === 'string' ? type : null, label: typeof label === 'string' && label ? label : null };
}

/**
 * The diff for people. `before` and `after` are the two documents (the version compared from,
 * and the later version or the current document); without them only the names are known.
 * Position changes are counted (`nodes.moved`), not listed node by node.
 */
export function readableDiff(answer: FlowDiffAnswer, before?: Doc, after?: Doc): ReadableDiff {
  const oldNodes = byKey(before?.nodes, 'id');
  const newNodes = byKey(after?.nodes, 'id');
  const oldParams = byKey(before?.parameters, 'name');
  const newParams = byKey(after?.parameters, 'name');
  const oldDoc = (before ?? undefined) as Item | undefined;
  const newDoc = (after ?? undefined) as Item | undefined;

  const moved: string[] = [];
  const changedNodes: NodeChange[] = [];
  for (const { node_id: id, fields } of answer.nodes.changed) {
    const isMoved = fields.includes('position');
    if (isMoved) moved.push(id);
    const rest = fields.filter((f) => f !== 'position').sort((a, b) => FIELD_ORDER(a) - FIELD_ORDER(b));
    if (rest.length === 0) continue;
    const o = oldNodes.get(id);
    const n = newNodes.get(id);
    changedNodes.push({
      ...ref(id, n ?? o),
      changes: rest.map((f) => change(o, n, f, f.startsWith('config.') ? f.slice('config.'.length) : f)),
      moved: isMoved,
    });
  }

  const result: ReadableDiff = {
    empty: false,
    fields: answer.fields.map((f) => change(oldDoc, newDoc, f)),
    nodes: {
      added: answer.nodes.added.map((id) => ref(id, newNodes.get(id))),
      removed: answer.nodes.removed.map((id) => ref(id, oldNodes.get(id))),
      changed: changedNodes,
      moved,
    },
    edges: {
      added: answer.edges.added.map(describeEdge),
      removed: answer.edges.removed.map(describeEdge),
      changed: answer.edges.changed.map((e) => `${describeEdge(e)} (${e.fields.join(', ')})`),
    },
    parameters: {
      added: answer.parameters.added,
      removed: answer.parameters.removed,
      changed: answer.parameters.changed.map(({ name, fields }) => ({
        name,
        changes: fields.map((f) => change(oldParams.get(name), newParams.get(name), f)),
      })),
    },
  };
  result.empty =
    result.fields.length === 0 &&
    Object.values(result.nodes).every((l) => l.length === 0) &&
    Object.values(result.edges).every((l) => l.length === 0) &&
    Object.values(result.parameters).every((l) => l.length === 0);
  return result;
}
