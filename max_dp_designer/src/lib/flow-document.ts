// The flow document (schema_version 1, flows/model.py) and its mapping to React Flow nodes/edges.
// The designer keeps React Flow's nodes/edges in memory and maps to the document on save.
import type { Edge, Node } from '@xyflow/react';
import { resolvePort, type CatalogIndex } from './catalog';

export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'list';

export interface FlowParameter {
  name: string;
  type: ParameterType;
  required?: boolean;
  default?: unknown;
  description?: string;
  /** Element type when type is list. */
  items?: ParameterType | null;
}

export interface XYPosition {
  x: number;
  y: number;
}

export interface FlowNodeSpec {
  id: string;
  type: string;
  config?: Record<string, unknown>;
  position?: XYPosition | null;
  label?: string | null;
  description?: string | null;
  timeout_s?: number | null;
  retries?: number;
  retry_backoff_s?: number;
}

export interface FlowEdge {
  source: string;
  target: string;
  /** Optional when the source node has one output port. */
  source_port?: string | null;
  /** Optional when the target node has one input port. */
  target_port?: string | null;
  id?: string | null;
}

export interface FlowDocument {
  schema_version: 1;
  name: string;
  description?: string;
  parameters?: FlowParameter[];
  nodes: FlowNodeSpec[];
  edges: FlowEdge[];
  timeout_s?: number | null;
}

/** Everything in the document but the graph. */
export type FlowMeta = Omit<FlowDocument, 'nodes' | 'edges'>;

/** NodeSpec fields the canvas does not edit directly, carried through unchanged. */
export type NodeExtras = Omit<FlowNodeSpec, 'id' | 'type' | 'config' | 'position' | 'label'>;

export interface StepData extends Record<string, unknown> {
  /** The catalog type (filter_rows, join_merge …). */
  nodeType: string;
  config: Record<string, unknown>;
  label?: string;
  extras?: NodeExtras;
}

// React Flow node kinds: one generic component, plus one per kind that renders differently.
export type StepNode = Node<StepData, 'step'>;
export type CatchNode = Node<StepData & { config: { scope?: string[] } }, 'catch'>;
export type DesignerNode = StepNode | CatchNode;
export type DesignerNodeKind = NonNullable<DesignerNode['type']>;

export interface EdgeData extends Record<string, unknown> {
  /** The edge's `id` in the document, when it had one. */
  docId?: string;
}
export type DesignerEdge = Edge<EdgeData>;

export function nodeKindFor(nodeType: string): DesignerNodeKind {
  return nodeType === 'try_catch' ? 'catch' : 'step';
}

export function edgeId(source: string, sourcePort: string | null, target: string, targetPort: string | null): string {
  return `e:${source}.${sourcePort ?? ''}->${target}.${targetPort ?? ''}`;
}

export function emptyDocument(name = 'untitled'): FlowDocument {
  return { schema_version: 1, name, description: '', parameters: [], nodes: [], edges: [] };
}

export function makeNode(
  spec: Pick<FlowNodeSpec, 'id' | 'type'> & Partial<FlowNodeSpec>,
  position: XYPosition,
): DesignerNode {
  const { id, type, config, label, position: _ignored, ...extras } = spec;
  const data: StepData = { nodeType: type, config: config ?? {} };
  if (label) data.label = label;
  if (Object.keys(extras).length > 0) data.extras = extras;
  return { id, type: nodeKindFor(type), position: { ...position }, data } as DesignerNode;
}

export interface GraphState {
  meta: FlowMeta;
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  /** Some nodes had no position: the caller should lay the graph out. */
  missingPositions: boolean;
}

export function documentToGraph(doc: FlowDocument, catalog: CatalogIndex): GraphState {
  const { nodes: specs, edges: docEdges, ...meta } = doc;
  let missingPositions = false;
  const nodes = specs.map((spec) => {
    if (!spec.position) missingPositions = true;
    return makeNode(spec, spec.position ?? { x: 0, y: 0 });
  });
  const typeOf = new Map(specs.map((s) => [s.id, s.type]));
  const edges = docEdges.map((e): DesignerEdge => {
    const src = catalog.get(typeOf.get(e.source) ?? '');
    const dst = catalog.get(typeOf.get(e.target) ?? '');
    // Name the port even when the document omits it, so the edge attaches to its handle.
    const sourceHandle = (src && resolvePort(src.outputs, e.source_port, 'out')?.name) ?? e.source_port ?? null;
    const targetHandle = (dst && resolvePort(dst.inputs, e.target_port, 'in')?.name) ?? e.target_port ?? null;
    const edge: DesignerEdge = {
      id: e.id ?? edgeId(e.source, sourceHandle, e.target, targetHandle),
      source: e.source,
      target: e.target,
      sourceHandle,
      targetHandle,
    };
    if (e.id) edge.data = { docId: e.id };
    return edge;
  });
  return {
    meta: { ...meta, schema_version: 1, parameters: meta.parameters ?? [], description: meta.description ?? '' },
    nodes,
    edges,
    missingPositions,
  };
}

export function graphToDocument(
  meta: FlowMeta,
  nodes: DesignerNode[],
  edges: DesignerEdge[],
  catalog: CatalogIndex,
): FlowDocument {
  const typeOf = new Map(nodes.map((n) => [n.id, n.data.nodeType]));
  const specs = nodes.map((n): FlowNodeSpec => {
    const spec: FlowNodeSpec = {
      id: n.id,
      type: n.data.nodeType,
      config: n.data.config,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    };
    if (n.data.label) spec.label = n.data.label;
    return { ...spec, ...n.data.extras };
  });
  const docEdges = edges.map((e): FlowEdge => {
    const out: FlowEdge = { source: e.source, target: e.target };
    const src = catalog.get(typeOf.get(e.source) ?? '');
    const dst = catalog.get(typeOf.get(e.target) ?? '');
    if (e.sourceHandle && !(src?.outputs.length === 1 && src.outputs[0]?.name === e.sourceHandle)) {
      out.source_port = e.sourceHandle;
    }
    if (e.targetHandle && !(dst?.inputs.length === 1 && dst.inputs[0]?.name === e.targetHandle)) {
      out.target_port = e.targetHandle;
    }
    if (e.data?.docId) out.id = e.data.docId;
    return out;
  });
  const { schema_version: _v, ...rest } = meta;
  return { schema_version: 1, ...rest, nodes: specs, edges: docEdges };
}

/** Parses an imported JSON text; throws an Error naming what is wrong with its shape. */
export function parseFlowDocument(text: string): FlowDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new Error('a flow document is a JSON object');
  if (raw.schema_version !== undefined && raw.schema_version !== 1) {
    throw new Error(`unsupported schema_version ${JSON.stringify(raw.schema_version)} (expected 1)`);
  }
  if (typeof raw.name !== 'string' || raw.name === '') throw new Error('name: a non-empty string is required');
  for (const key of ['nodes', 'edges', 'parameters'] as const) {
    if (raw[key] !== undefined && !Array.isArray(raw[key])) throw new Error(`${key}: a list is required`);
  }
  const nodes = (raw.nodes ?? []) as unknown[];
  nodes.forEach((n, i) => {
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.type !== 'string') {
      throw new Error(`nodes.${i}: each node needs a string id and type`);
    }
  });
  const edges = (raw.edges ?? []) as unknown[];
  edges.forEach((e, i) => {
    if (!isObject(e) || typeof e.source !== 'string' || typeof e.target !== 'string') {
      throw new Error(`edges.${i}: each edge needs a string source and target`);
    }
  });
  return { ...(raw as object), schema_version: 1, nodes, edges } as FlowDocument;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
