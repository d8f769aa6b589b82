// The designer's state: the flow being edited (React Flow nodes/edges + document meta), selection,
// undo/redo, clipboard, dirty flag, run status per node and validation problems per node.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import { indexCatalog, resolvePort, type Catalog, type CatalogIndex } from '../lib/catalog';
import {
  documentToGraph,
  edgeId,
  emptyDocument,
  graphToDocument,
  makeNode,
  type DesignerEdge,
  type DesignerNode,
  type FlowDocument,
  type FlowMeta,
  type NodeExtras,
  type XYPosition,
} from '../lib/flow-document';
import { autoLayout, canConnect, directInputs, validateLocally, type ConnectResult, type Problem } from '../lib/graph-utils';
import { copyNodes, pasteClipboard, type Clipboard } from './clipboard';
import { DEFAULT_HISTORY_LIMIT, pushSnapshot, type Snapshot } from './history';
import { NODE_ID_PATTERN, uniqueId } from './ids';
import { changedNodeIds, groupByNode, keepServerProblems, mergeProblems } from './problems';
import { idleRun, reduceRunEvent, type RunEvent, type RunState } from './run-state';

/** Edits of the same key within this window are one undo step (typing in a form field). */
const COALESCE_MS = 1000;
const PASTE_OFFSET = 40;

export interface FlowState {
  catalog: Catalog;
  catalogIndex: CatalogIndex;
  meta: FlowMeta;
  nodes: DesignerNode[];
  edges: DesignerEdge[];
  past: Snapshot[];
  future: Snapshot[];
  rev: number;
  savedRev: number;
  clipboard: Clipboard | null;
  run: RunState;
  /** Local checks (rerun after every change) merged with the server's last answer. */
  problems: Problem[];
  problemsByNode: Record<string, Problem[]>;
  /** What the server said, minus what later edits made stale. */
  serverProblems: Problem[];
  /** Output columns per node, from previews: what column pickers downstream offer. */
  columns: Record<string, string[]>;
  /** The last refused action, for a transient message ("would create a cycle: …"). */
  notice: string | null;
  actions: FlowActions;
}

export interface FlowActions {
  load(doc: FlowDocument): void;
  toDocument(): FlowDocument;
  onNodesChange(changes: NodeChange<DesignerNode>[]): void;
  onEdgesChange(changes: EdgeChange<DesignerEdge>[]): void;
  connect(connection: Connection): ConnectResult;
  addNode(type: string, position: XYPosition): string;
  updateConfig(id: string, config: Record<string, unknown>): void;
  updateNode(id: string, patch: { label?: string; extras?: NodeExtras }): void;
  renameNode(id: string, newId: string): string | null;
  /**
   * Changes the document's meta. Edits with the same `key` within a second are one undo step
   * (default: one key per set of fields); `null` makes this edit a step of its own.
   */
  setMeta(patch: Partial<FlowMeta>, key?: string | null): void;
  /**
   * Names parameter `index` `name` and gives the nodes in `configs` those configs (its uses,
   * rewritten by the server), as one undo step.
   */
  renameParameter(index: number, name: string, configs?: Readonly<Record<string, Record<string, unknown>>>): void;
  select(ids: string[]): void;
  selectAll(): void;
  deleteSelected(): void;
  copySelected(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  layout(): void;
  /** Records `rev` (default: the current revision) as what the server has. */
  markSaved(rev?: number): void;
  applyRunEvent(event: RunEvent): void;
  resetRun(): void;
  /** The server's validation answer (POST …/validate, a failed save or run). */
  setProblems(problems: Problem[]): void;
  validate(): Problem[];
  setColumns(nodeId: string, columns: string[] | null): void;
  clearNotice(): void;
}

export interface FlowStoreOptions {
  catalog: Catalog;
  document?: FlowDocument;
  historyLimit?: number;
}

export type FlowStore = ReturnType<typeof createFlowStore>;

export function isDirty(state: Pick<FlowState, 'rev' | 'savedRev'>): boolean {
  return state.rev !== state.savedRev;
}

/** Columns offered to `nodeId`'s pickers: its inputs' output columns; undefined until one is known. */
export function inputColumns(state: Pick<FlowState, 'edges' | 'columns'>, nodeId: string): string[] | undefined {
  const known = directInputs(state.edges, nodeId)
    .map((i) => state.columns[i.source])
    .filter((c): c is string[] => c !== undefined);
  return known.length > 0 ? [...new Set(known.flat())] : undefined;
}

export function selectedNodeIds(state: Pick<FlowState, 'nodes'>): string[] {
  return state.nodes.filter((n) => n.selected).map((n) => n.id);
}

export function createFlowStore({ catalog, document, historyLimit = DEFAULT_HISTORY_LIMIT }: FlowStoreOptions) {
  const catalogIndex = indexCatalog(catalog);

  function problemsFor(doc: Pick<FlowState, 'meta' | 'nodes' | 'edges'>, server: Problem[]) {
    const local = validateLocally(graphToDocument(doc.meta, doc.nodes, doc.edges, catalogIndex), catalogIndex);
    const problems = mergeProblems(server, local);
    return { problems, problemsByNode: groupByNode(problems), serverProblems: server };
  }

  let counter = 0;
  let lastKey: string | null = null;
  let lastAt = 0;
  let dragging = false;
  let pastes = 0;

  return createStore<FlowState>()((set, get) => {
    type Doc = Pick<FlowState, 'meta' | 'nodes' | 'edges'>;

    /** Applies a document change as one undo step (or merges it into the last one for the same key). */
    function commit(next: Partial<Doc>, key: string | null = null): void {
      const s = get();
      const now = Date.now();
      const merge = key !== null && key === lastKey && now - lastAt < COALESCE_MS && s.past.length > 0;
      lastKey = key;
      lastAt = now;
      const past = merge ? s.past : pushSnapshot(s.past, snapshot(s), historyLimit);
      set({ ...next, ...recheck(s, next), past, future: [], rev: ++counter });
    }

    /** Problems after going from `s` to `next`: local ones rerun, stale server ones dropped. */
    function recheck(s: FlowState, next: Partial<Doc>) {
      const doc = { meta: next.meta ?? s.meta, nodes: next.nodes ?? s.nodes, edges: next.edges ?? s.edges };
      return problemsFor(doc, keepServerProblems(s.serverProblems, changedNodeIds(s.nodes, doc.nodes)));
    }

    function snapshot(s: FlowState): Snapshot {
      return { meta: s.meta, nodes: s.nodes, edges: s.edges, rev: s.rev };
    }

    function restore(snap: Snapshot): Partial<FlowState> {
      lastKey = null;
      return { meta: snap.meta, nodes: snap.nodes, edges: snap.edges, rev: snap.rev, ...recheck(get(), snap) };
    }

    function takenIds(): Set<string> {
      return new Set(get().nodes.map((n) => n.id));
    }

    const actions: FlowActions = {
      load(doc) {
        const graph = documentToGraph(doc, catalogIndex);
        const nodes = graph.missingPositions ? autoLayout(graph.nodes, graph.edges) : graph.nodes;
        const rev = ++counter;
        const checked = problemsFor({ meta: graph.meta, nodes, edges: graph.edges }, []);
        lastKey = null;
        pastes = 0;
        set({
          meta: graph.meta,
          nodes,
          edges: graph.edges,
          past: [],
          future: [],
          rev,
          savedRev: rev,
          run: idleRun,
          ...checked,
          columns: {},
          notice: null,
        });
      },

      toDocument() {
        const s = get();
        return graphToDocument(s.meta, s.nodes, s.edges, catalogIndex);
      },

      onNodesChange(changes) {
        const s = get();
        const nodes = applyNodeChanges(changes, s.nodes);
        const moves = changes.filter((c) => c.type === 'position');
        const edits = changes.some((c) => c.type === 'add' || c.type === 'remove' || c.type === 'replace');
        const dragEnd = moves.some((c) => c.type === 'position' && !c.dragging);
        const dragStep = moves.some((c) => c.type === 'position' && c.dragging);
        if (edits) {
          const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
          const edges = s.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target));
          commit({ nodes, edges });
        } else if (dragStep && !dragging) {
          // One undo step per drag: snapshot the state from before the drag started.
          dragging = true;
          commit({ nodes });
        } else if (dragStep || (dragging && !dragEnd)) {
          set({ nodes });
        } else if (dragEnd && dragging) {
          dragging = false;
          set({ nodes, rev: ++counter });
        } else if (dragEnd) {
          commit({ nodes });
        } else {
          set({ nodes }); // selection, dimensions
        }
      },

      onEdgesChange(changes) {
        const s = get();
        const edges = applyEdgeChanges(changes, s.edges);
        if (changes.some((c) => c.type === 'remove' || c.type === 'add' || c.type === 'replace')) commit({ edges });
        else set({ edges });
      },

      connect(connection) {
        const s = get();
        const result = canConnect(catalogIndex, s.nodes, s.edges, connection);
        if (!result.ok) {
          set({ notice: `Connection refused: ${result.reason}` });
          return result;
        }
        const typeOf = (id: string) => catalogIndex.get(s.nodes.find((n) => n.id === id)?.data.nodeType ?? '');
        const sourceHandle = resolvePort(typeOf(connection.source)?.outputs ?? [], connection.sourceHandle, 'out')?.name ?? null;
        const targetHandle = resolvePort(typeOf(connection.target)?.inputs ?? [], connection.targetHandle, 'in')?.name ?? null;
        const edge: DesignerEdge = {
          id: edgeId(connection.source, sourceHandle, connection.target, targetHandle),
          source: connection.source,
          target: connection.target,
          sourceHandle,
          targetHandle,
        };
        commit({ edges: [...s.edges, edge] });
        set({ notice: null });
        return result;
      },

      addNode(type, position) {
        const id = uniqueId(type, takenIds());
        const node = { ...makeNode({ id, type }, position), selected: true } as DesignerNode;
        commit({ nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
        return id;
      },

      updateConfig(id, config) {
        const nodes = get().nodes.map((n) => (n.id === id ? ({ ...n, data: { ...n.data, config } } as DesignerNode) : n));
        commit({ nodes }, `config:${id}`);
      },

      updateNode(id, patch) {
        const nodes = get().nodes.map((n) => {
          if (n.id !== id) return n;
          const data = { ...n.data, ...patch };
          if (!data.label) delete data.label;
          return { ...n, data } as DesignerNode;
        });
        commit({ nodes }, `node:${id}:${Object.keys(patch).join(',')}`);
      },

      renameNode(id, newId) {
        if (id === newId) return null;
        if (!NODE_ID_PATTERN.test(newId)) return 'ids start with a letter or _ and use letters, digits, _ and -';
        if (takenIds().has(newId)) return `node id '${newId}' is already used`;
        const s = get();
        const swap = (v: string) => (v === id ? newId : v);
        const nodes = s.nodes.map((n) => {
          const scope = n.data.config.scope;
          const renamed = n.id === id ? { ...n, id: newId } : n;
          if (!Array.isArray(scope) || !scope.includes(id)) return renamed;
          return { ...renamed, data: { ...n.data, config: { ...n.data.config, scope: scope.map(swap) } } } as DesignerNode;
        });
        const edges = s.edges.map((e) => {
          if (e.source !== id && e.target !== id) return e;
          const source = swap(e.source);
          const target = swap(e.target);
          return { ...e, source, target, id: e.data?.docId ?? edgeId(source, e.sourceHandle ?? null, target, e.targetHandle ?? null) };
        });
        commit({ nodes, edges });
        return null;
      },

      setMeta(patch, key = `meta:${Object.keys(patch).join(',')}`) {
        commit({ meta: { ...get().meta, ...patch } }, key);
      },

      renameParameter(index, name, configs = {}) {
        const s = get();
        const parameters = (s.meta.parameters ?? []).map((p, i) => (i === index ? { ...p, name } : p));
        const nodes = s.nodes.map((n) =>
          Object.hasOwn(configs, n.id) ? ({ ...n, data: { ...n.data, config: configs[n.id] } } as DesignerNode) : n,
        );
        commit({ meta: { ...s.meta, parameters }, nodes });
      },

      select(ids) {
        const wanted = new Set(ids);
        set({
          nodes: get().nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        });
      },

      selectAll() {
        actions.select(get().nodes.map((n) => n.id));
      },

      deleteSelected() {
        const s = get();
        const ids = new Set(selectedNodeIds(s));
        const edges = s.edges.filter((e) => !e.selected && !ids.has(e.source) && !ids.has(e.target));
        if (ids.size === 0 && edges.length === s.edges.length) return;
        commit({ nodes: s.nodes.filter((n) => !ids.has(n.id)), edges });
      },

      copySelected() {
        const s = get();
        const clip = copyNodes(s.nodes, s.edges, new Set(selectedNodeIds(s)));
        if (clip) {
          pastes = 0;
          set({ clipboard: clip });
        }
      },

      paste() {
        const s = get();
        if (!s.clipboard) return;
        pastes += 1;
        const offset = { x: PASTE_OFFSET * pastes, y: PASTE_OFFSET * pastes };
        const pasted = pasteClipboard(s.clipboard, takenIds(), offset);
        const nodes = [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes];
        commit({ nodes, edges: [...s.edges, ...pasted.edges] });
      },

      undo() {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        set({ ...restore(prev), past: s.past.slice(0, -1), future: [snapshot(s), ...s.future] });
      },

      redo() {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({ ...restore(next), past: pushSnapshot(s.past, snapshot(s), historyLimit), future: s.future.slice(1) });
      },

      layout() {
        const s = get();
        commit({ nodes: autoLayout(s.nodes, s.edges) });
      },

      markSaved(rev) {
        // The next edit starts a step of its own: undo must stop at what was saved.
        lastKey = null;
        set({ savedRev: rev ?? get().rev });
      },

      applyRunEvent(event) {
        set({ run: reduceRunEvent(get().run, event) });
      },

      resetRun() {
        set({ run: idleRun });
      },

      setProblems(problems) {
        set(problemsFor(get(), problems));
      },

      validate() {
        const checked = problemsFor(get(), get().serverProblems);
        set(checked);
        return checked.problems;
      },

      setColumns(nodeId, columns) {
        const { [nodeId]: _old, ...rest } = get().columns;
        set({ columns: columns ? { ...rest, [nodeId]: columns } : rest });
      },

      clearNotice() {
        set({ notice: null });
      },
    };

    const initial = documentToGraph(document ?? emptyDocument(), catalogIndex);
    const initialNodes = initial.missingPositions ? autoLayout(initial.nodes, initial.edges) : initial.nodes;
    return {
      catalog,
      catalogIndex,
      meta: initial.meta,
      nodes: initialNodes,
      edges: initial.edges,
      past: [],
      future: [],
      rev: 0,
      savedRev: 0,
      clipboard: null,
      run: idleRun,
      ...problemsFor({ meta: initial.meta, nodes: initialNodes, edges: initial.edges }, []),
      columns: {},
      notice: null,
      actions,
    };
  });
}
