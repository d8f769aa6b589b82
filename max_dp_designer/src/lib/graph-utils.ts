// Graph logic for the canvas: plain functions over nodes/edges, no React.
import { indexCatalog, resolvePort, type Catalog, type CatalogIndex, type Port } from './catalog';
import type { FlowDocument } from './flow-document';

/** What these functions need of a React Flow node. */
export interface GraphNode {
  id: string;
  data: { nodeType: string };
  position?: { x: number; y: number };
  measured?: { width?: number; height?: number };
}

export interface GraphEdge {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface ConnectionLike {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

/** A validation finding, shaped like the server's (flows/errors.py Problem). */
export interface Problem {
  code: string;
  message: string;
  node_id: string | null;
  edge: number | null;
  field: string | null;
}

export type ConnectResult = { ok: true } | { ok: false; reason: string };

function asIndex(catalog: Catalog | CatalogIndex): CatalogIndex {
  return Array.isArray(catalog) ? indexCatalog(catalog) : (catalog as CatalogIndex);
}

function outgoing(edges: readonly GraphEdge[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.source) ?? [];
    list.push(e.target);
    out.set(e.source, list);
  }
  return out;
}

/** A path of node ids from `from` to `to` along the edges, or null. */
export function findPath(edges: readonly GraphEdge[], from: string, to: string): string[] | null {
  const next = outgoing(edges);
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null = id; at !== null; at = parent.get(at) ?? null) path.unshift(at);
      return path;
    }
    for (const n of next.get(id) ?? []) {
      if (!parent.has(n)) {
        parent.set(n, id);
        queue.push(n);
      }
    }
  }
  return null;
}

export function wouldCreateCycle(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  connection: ConnectionLike,
): boolean {
  if (connection.source === connection.target) return true;
  const known = new Set(nodes.map((n) => n.id));
  const live = edges.filter((e) => known.has(e.source) && known.has(e.target));
  return findPath(live, connection.target, connection.source) !== null;
}

function portList(ports: Port[]): string {
  return ports.map((p) => p.name).join(', ') || 'none';
}

function missingPort(nodeId: string, ports: Port[], name: string | null | undefined, side: string): string {
  if (name) return `node '${nodeId}' has no ${side} port '${name}' (ports: ${portList(ports)})`;
  if (ports.length === 0) return `node '${nodeId}' has no ${side} ports`;
  return `node '${nodeId}' has several ${side} ports (${portList(ports)}): name one`;
}

/** Whether `connection` may be added: ports exist, no self-loop, no cycle, no second edge into a single port. */
export function canConnect(
  catalog: Catalog | CatalogIndex,
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  connection: ConnectionLike,
): ConnectResult {
  const index = asIndex(catalog);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const src = byId.get(connection.source);
  const dst = byId.get(connection.target);
  if (!src) return { ok: false, reason: `no node '${connection.source}'` };
  if (!dst) return { ok: false, reason: `no node '${connection.target}'` };
  if (src.id === dst.id) return { ok: false, reason: 'a node cannot feed itself' };
  const srcEntry = index.get(src.data.nodeType);
  const dstEntry = index.get(dst.data.nodeType);
  if (!srcEntry) return { ok: false, reason: `node '${src.id}' has unknown type '${src.data.nodeType}'` };
  if (!dstEntry) return { ok: false, reason: `node '${dst.id}' has unknown type '${dst.data.nodeType}'` };
  const out = resolvePort(srcEntry.outputs, connection.sourceHandle, 'out');
  if (!out) return { ok: false, reason: missingPort(src.id, srcEntry.outputs, connection.sourceHandle, 'output') };
  const inp = resolvePort(dstEntry.inputs, connection.targetHandle, 'in');
  if (!inp) return { ok: false, reason: missingPort(dst.id, dstEntry.inputs, connection.targetHandle, 'input') };

  const into = edges.filter(
    (e) => e.target === dst.id && resolvePort(dstEntry.inputs, e.targetHandle, 'in')?.name === inp.name,
  );
  if (into.some((e) => e.source === src.id && resolvePort(srcEntry.outputs, e.sourceHandle, 'out')?.name === out.name)) {
    return { ok: false, reason: 'these ports are already connected' };
  }
  if (!inp.many && into.length > 0) {
    const from = into.map((e) => `'${e.source}'`).join(', ');
    return { ok: false, reason: `input port '${inp.name}' of node '${dst.id}' takes one edge and already has one (from ${from})` };
  }
  const back = findPath(edges, dst.id, src.id);
  if (back) return { ok: false, reason: `would create a cycle: ${[...back, dst.id].join(' -> ')}` };
  return { ok: true };
}

/** Every node `nodeId` depends on, directly or not, nearest first. */
export function upstreamOf(edges: readonly GraphEdge[], nodeId: string): string[] {
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  const queue = [nodeId];
  while (queue.length > 0) {
    for (const up of incoming.get(queue.shift()!) ?? []) {
      if (!seen.has(up)) {
        seen.add(up);
        order.push(up);
        queue.push(up);
      }
    }
  }
  return order;
}

/** The nodes feeding `nodeId` directly, by input port (null when the edge names no port). */
export function directInputs(edges: readonly GraphEdge[], nodeId: string): Array<{ port: string | null; source: string }> {
  return edges.filter((e) => e.target === nodeId).map((e) => ({ port: e.targetHandle ?? null, source: e.source }));
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  gapX?: number;
  gapY?: number;
}

/** Longest-path layers: each node sits one column right of its furthest-away predecessor. */
export function layers(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Map<string, number> {
  const ids = new Set(nodes.map((n) => n.id));
  const live = edges.filter((e) => ids.has(e.source) && ids.has(e.target) && e.source !== e.target);
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of live) indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  const next = outgoing(live);
  const layer = new Map<string, number>();
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layer.set(id, 0);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const t of next.get(id) ?? []) {
      layer.set(t, Math.max(layer.get(t) ?? 0, (layer.get(id) ?? 0) + 1));
      indegree.set(t, (indegree.get(t) ?? 0) - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  // Nodes on a cycle never reach indegree 0: park them in one column after the rest.
  const last = Math.max(-1, ...layer.values()) + 1;
  for (const n of nodes) if (!layer.has(n.id)) layer.set(n.id, last);
  return layer;
}

/** A left-to-right layered layout; returns copies of the nodes with new positions. */
export function autoLayout<N extends GraphNode>(nodes: readonly N[], edges: readonly GraphEdge[], options: LayoutOptions = {}): N[] {
  const { nodeWidth = 220, nodeHeight = 90, gapX = 80, gapY = 40 } = options;
  const layerOf = layers(nodes, edges);
  const columns: N[][] = [];
  for (const n of nodes) (columns[layerOf.get(n.id)!] ??= []).push(n);

  const rank = new Map<string, number>();
  const preds = new Map<string, string[]>();
  for (const e of edges) preds.set(e.target, [...(preds.get(e.target) ?? []), e.source]);
  const y0 = (n: N) => n.position?.y ?? 0;
  for (const column of columns) {
    if (!column) continue;
    // Barycenter of predecessor ranks keeps edges short; the current y breaks ties.
    const weight = (n: N) => {
      const ranks = (preds.get(n.id) ?? []).map((p) => rank.get(p)).filter((r): r is number => r !== undefined);
      return ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : Number.POSITIVE_INFINITY;
    };
    column.sort((a, b) => weight(a) - weight(b) || y0(a) - y0(b));
    column.forEach((n, i) => rank.set(n.id, i));
  }

  const width = (n: N) => n.measured?.width ?? nodeWidth;
  const height = (n: N) => n.measured?.height ?? nodeHeight;
  const columnHeight = (c: N[]) => c.reduce((h, n) => h + height(n), 0) + gapY * Math.max(0, c.length - 1);
  const tallest = Math.max(0, ...columns.map((c) => (c ? columnHeight(c) : 0)));
  const placed = new Map<string, { x: number; y: number }>();
  let x = 0;
  for (const column of columns) {
    if (!column) continue;
    let y = (tallest - columnHeight(column)) / 2;
    for (const n of column) {
      placed.set(n.id, { x, y });
      y += height(n) + gapY;
    }
    x += Math.max(...column.map(width)) + gapX;
  }
  return nodes.map((n) => ({ ...n, position: placed.get(n.id)! }));
}

function problem(code: string, message: string, where: Partial<Omit<Problem, 'code' | 'message'>> = {}): Problem {
  return { code, message, node_id: where.node_id ?? null, edge: where.edge ?? null, field: where.field ?? null };
}

/** What the browser can check without the server, with the server's codes and messages. */
export function validateLocally(doc: FlowDocument, catalog: Catalog | CatalogIndex): Problem[] {
  const index = asIndex(catalog);
  const problems: Problem[] = [];
  const types = new Map<string, string>();
  for (const spec of doc.nodes) {
    if (types.has(spec.id)) {
      problems.push(problem('duplicate_id', `node id '${spec.id}' is used twice`, { node_id: spec.id }));
      continue;
    }
    types.set(spec.id, spec.type);
    const entry = index.get(spec.type);
    if (!entry) {
      problems.push(
        problem('unknown_type', `node '${spec.id}': unknown node type '${spec.type}'`, { node_id: spec.id, field: 'type' }),
      );
      continue;
    }
    for (const name of entry.config_schema.required ?? []) {
      const value = spec.config?.[name];
      if (value === undefined || value === '') {
        problems.push(problem('invalid_config', `node '${spec.id}': ${name}: Field required`, { node_id: spec.id, field: name }));
      }
    }
  }

  const wired = new Map<string, Map<string, string[]>>(); // target -> port -> sources
  const live: GraphEdge[] = [];
  doc.edges.forEach((edge, i) => {
    const label = `edge ${i} (${edge.source} -> ${edge.target})`;
    const dangling = [edge.source, edge.target].filter((end) => !types.has(end));
    for (const end of dangling) problems.push(problem('dangling_edge', `${label}: no node '${end}'`, { edge: i, node_id: end }));
    if (dangling.length > 0) return;
    if (edge.source === edge.target) {
      problems.push(problem('cycle', `${label}: a node cannot feed itself`, { edge: i, node_id: edge.source }));
      return;
    }
    const src = index.get(types.get(edge.source)!);
    const dst = index.get(types.get(edge.target)!);
    if (!src || !dst) return;
    const out = resolvePort(src.outputs, edge.source_port, 'out');
    const inp = resolvePort(dst.inputs, edge.target_port, 'in');
    if (!out) {
      const msg = missingPort(edge.source, src.outputs, edge.source_port, 'output');
      problems.push(problem('unknown_port', `${label}: ${msg}`, { edge: i, node_id: edge.source, field: 'source_port' }));
    }
    if (!inp) {
      const msg = missingPort(edge.target, dst.inputs, edge.target_port, 'input');
      problems.push(problem('unknown_port', `${label}: ${msg}`, { edge: i, node_id: edge.target, field: 'target_port' }));
    }
    if (!out || !inp) return;
    const ports = wired.get(edge.target) ?? new Map<string, string[]>();
    ports.set(inp.name, [...(ports.get(inp.name) ?? []), edge.source]);
    wired.set(edge.target, ports);
    live.push(edge);
  });

  const checked = new Set<string>();
  for (const spec of doc.nodes) {
    const entry = index.get(spec.type);
    if (!entry || checked.has(spec.id) || types.get(spec.id) !== spec.type) continue;
    checked.add(spec.id);
    const ports = wired.get(spec.id);
    for (const port of entry.inputs) {
      const sources = ports?.get(port.name) ?? [];
      if (!port.many && sources.length > 1) {
        problems.push(
          problem(
            'port_taken',
            `node '${spec.id}': input port '${port.name}' takes one edge, got ${sources.length} (from ${sources.join(', ')})`,
            { node_id: spec.id, field: port.name },
          ),
        );
      }
      if (!port.optional && sources.length === 0) {
        problems.push(
          problem('unconnected_input', `node '${spec.id}': input port '${port.name}' is not connected`, {
            node_id: spec.id,
            field: port.name,
          }),
        );
      }
    }
    const scope = spec.type === 'try_catch' ? spec.config?.scope : undefined;
    if (Array.isArray(scope)) problems.push(...scopeProblems(spec.id, scope, types, doc.edges));
  }

  for (const cycle of findCycles([...types.keys()], live)) {
    problems.push(problem('cycle', `cycle through nodes ${cycle.join(' -> ')}`, { node_id: cycle[0]! }));
  }
  return problems;
}

/** try_catch scopes: every watched node must exist and run before the catcher. */
function scopeProblems(id: string, scope: unknown[], types: ReadonlyMap<string, string>, edges: readonly GraphEdge[]): Problem[] {
  const below = new Set(findDownstream(edges, id));
  const out: Problem[] = [];
  for (const target of scope) {
    if (typeof target !== 'string') continue;
    const where = { node_id: id, field: 'scope' };
    if (!types.has(target)) out.push(problem('unknown_scope', `node '${id}': scope names no node '${target}'`, where));
    else if (target === id || below.has(target)) {
      out.push(problem('cycle', `node '${id}': cannot watch '${target}', which runs after it`, where));
    }
  }
  return out;
}

function findDownstream(edges: readonly GraphEdge[], id: string): string[] {
  const reversed = edges.map((e) => ({ source: e.target, target: e.source }));
  return upstreamOf(reversed, id);
}

/** One cycle (first node repeated at the end) per strongly connected component with a loop. */
export function findCycles(ids: readonly string[], edges: readonly GraphEdge[]): string[][] {
  const next = outgoing(edges.filter((e) => e.source !== e.target));
  // Tarjan's SCC, iterative so that long chains cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = next.get(frame.id) ?? [];
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.id);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map((component) => {
    const members = new Set(component);
    const inside = edges.filter((e) => members.has(e.source) && members.has(e.target) && e.source !== e.target);
    const start = ids.find((id) => members.has(id))!;
    const first = inside.find((e) => e.source === start)!;
    return [start, ...(findPath(inside, first.target, start) ?? [])];
  });
}
