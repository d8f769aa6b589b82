// The server side of one open flow: save, versions, preview ("run to here"), runs with their
// live events, and the columns column pickers offer. The graph itself stays in the flow store.
import { createStore } from 'zustand/vanilla';
import type { FlowDocument } from '../lib/flow-document';
import type { Problem } from '../lib/graph-utils';
import { ApiError, errorMessage } from '../api/errors';
import type { FlowStore } from '../store';
import type { RunEvent } from '../store';
import { isDirty } from '../store';
import { followRenames, keepDeclared, paramsToSend } from '../lib/parameters';
import { FINISHED, outputKey, previewColumns, subDocument } from './logic';

export interface FlowInfo {
  id: string;
  workspace_id: string;
  name: string;
  latest_version: number;
  updated_at: string;
}

export interface VersionInfo {
  version: number;
  comment: string;
  created_at: string;
}

export interface PreviewNode {
  status: string;
  duration_ms?: number | null;
  error?: Record<string, unknown> | null;
  reason?: string | null;
  columns?: Array<Record<string, unknown>>;
  rows?: Array<Record<string, unknown>>;
  row_count?: number | null;
}

export interface PreviewAnswer {
  node_id: string;
  status: string;
  duration_ms: number;
  error?: Record<string, unknown> | null;
  nodes: Record<string, PreviewNode>;
}

export interface PreviewBody {
  node_id: string;
  document: FlowDocument;
  row_limit?: number;
  sample_sources?: boolean;
  /** Parameter values by name (strings are coerced by the server); the rest use their defaults. */
  params?: Record<string, unknown>;
}

/** What the editor needs from the server (services.ts; fakes in tests). */
export interface EditorServices {
  saveFlow(flowId: string, doc: FlowDocument): Promise<FlowInfo>;
  saveVersion(flowId: string, comment: string): Promise<VersionInfo>;
  listVersions(flowId: string): Promise<{ items: VersionInfo[] }>;
  restoreVersion(flowId: string, version: number): Promise<FlowInfo & { document: unknown }>;
  preview(flowId: string, body: PreviewBody, signal?: AbortSignal): Promise<PreviewAnswer>;
  startRun(flowId: string, params?: Record<string, unknown>): Promise<string>;
  streamRunEvents(runId: string, onEvent: (e: unknown) => void, signal?: AbortSignal): Promise<void>;
  getRun(runId: string): Promise<{ status: string; error?: Record<string, unknown> | null; duration_ms?: number | null }>;
  cancelRun(runId: string): Promise<void>;
}

export interface PreviewState {
  nodeId: string;
  loading: boolean;
  answer: PreviewAnswer | null;
  error: string | null;
  page: number;
}

export interface LiveRun {
  runId: string;
  status: string;
  error: string | null;
}

export interface Message {
  kind: 'info' | 'success' | 'error';
  text: string;
}

export interface EditorState {
  flow: FlowInfo;
  saving: boolean;
  message: Message | null;
  preview: PreviewState | null;
  run: LiveRun | null;
  versions: VersionInfo[] | null;
  versionsOpen: boolean;
  /** Test values of the flow's parameters by name, as typed; not part of the document. */
  paramValues: Record<string, string>;
  /** Why the server refused a parameter's value, by name (the last run or preview). */
  paramErrors: Record<string, string>;
  actions: EditorActions;
}

export interface EditorActions {
  /** Saves the document when it changed; false when the server refused it (problems shown). */
  save(): Promise<boolean>;
  saveVersion(comment: string): Promise<boolean>;
  toggleVersions(open?: boolean): void;
  loadVersions(): Promise<void>;
  restore(version: number): Promise<boolean>;
  previewNode(nodeId: string): Promise<void>;
  setPreviewPage(page: number): void;
  closePreview(): void;
  /** Output columns of these nodes, fetched with a one-row preview when unknown or stale. */
  ensureColumns(nodeIds: string[]): Promise<void>;
  run(): Promise<void>;
  cancelRun(): Promise<void>;
  /** The test value of parameter `name` for runs and previews; empty uses its default. */
  setParamValue(name: string, value: string): void;
  say(message: Message | null): void;
  dispose(): void;
}

export const PREVIEW_ROWS = 500;

export type EditorStore = ReturnType<typeof createEditorStore>;

export function createEditorStore(flow: FlowInfo, flowStore: FlowStore, services: EditorServices) {
  let previewAbort: AbortController | null = null;
  let runAbort: AbortController | null = null;
  /** outputKey under which each node's columns were fetched. */
  const columnKeys = new Map<string, string>();
  const fetching = new Map<string, Promise<void>>();

  const graph = () => flowStore.getState();

  const store = createStore<EditorState>()((set, get) => {
    function problemsOf(err: unknown): Problem[] {
      return err instanceof ApiError ? err.problems : [];
    }

    /** The non-empty test values of declared parameters: what runs and previews send. */
    function params(): Record<string, string> {
      return paramsToSend(graph().meta.parameters, get().paramValues);
    }

    /** Keeps the server's word on each refused parameter, for the test value inputs. */
    function noteParamErrors(err: unknown): void {
      const refusedParams = err instanceof ApiError ? err.parameterProblems : [];
      set({ paramErrors: Object.fromEntries(refusedParams.map((p) => [p.field, p.message])) });
    }

    function refused(what: string, err: unknown): void {
      noteParamErrors(err);
      const problems = problemsOf(err);
      if (problems.length > 0) {
        graph().actions.setProblems(problems);
        const n = problems.length;
        set({ message: { kind: 'error', text: `${what}: ${n} problem${n === 1 ? '' : 's'}, shown on the nodes.` } });
      } else {
        set({ message: { kind: 'error', text: `${what}: ${errorMessage(err)}` } });
      }
    }

    /** Records the columns of every node of a preview, under the document and values it ran with. */
    function rememberColumns(answer: PreviewAnswer, doc: FlowDocument, valuesKey: string): void {
      for (const [id, names] of Object.entries(previewColumns(answer))) {
        graph().actions.setColumns(id, names);
        columnKeys.set(id, `${outputKey(doc, id)}|${valuesKey}`);
      }
    }

    const actions: EditorActions = {
      async save() {
        if (!isDirty(graph())) return true;
        const rev = graph().rev;
        const doc = graph().actions.toDocument();
        set({ saving: true });
        try {
          const saved = await services.saveFlow(get().flow.id, doc);
          graph().actions.markSaved(rev);
          graph().actions.setProblems([]);
          set({ flow: pick(saved), message: { kind: 'success', text: 'Saved.' } });
          return true;
        } catch (err) {
          refused('Not saved', err);
          return false;
        } finally {
          set({ saving: false });
        }
      },

      async saveVersion(comment) {
        if (!(await actions.save())) return false;
        try {
          const v = await services.saveVersion(get().flow.id, comment);
          set({
            flow: { ...get().flow, latest_version: v.version },
            message: { kind: 'success', text: `Saved as version ${v.version}.` },
            versions: get().versions ? [v, ...get().versions!] : null,
          });
          return true;
        } catch (err) {
          refused('Version not saved', err);
          return false;
        }
      },

      toggleVersions(open) {
        const next = open ?? !get().versionsOpen;
        set({ versionsOpen: next });
        if (next) void actions.loadVersions();
      },

      async loadVersions() {
        try {
          const page = await services.listVersions(get().flow.id);
          set({ versions: page.items });
        } catch (err) {
          set({ message: { kind: 'error', text: `Versions: ${errorMessage(err)}` } });
        }
      },

      async restore(version) {
        try {
          const flow = await services.restoreVersion(get().flow.id, version);
          graph().actions.load(flow.document as FlowDocument);
          columnKeys.clear();
          set({ flow: pick(flow), preview: null, message: { kind: 'success', text: `Version ${version} restored.` } });
          return true;
        } catch (err) {
          refused(`Version ${version} not restored`, err);
          return false;
        }
      },

      async previewNode(nodeId) {
        previewAbort?.abort();
        const ctrl = (previewAbort = new AbortController());
        const doc = graph().actions.toDocument();
        const sent = params();
        set({ preview: { nodeId, loading: true, answer: null, error: null, page: 0 } });
        try {
          const answer = await services.preview(
            get().flow.id,
            { node_id: nodeId, document: subDocument(doc, nodeId), row_limit: PREVIEW_ROWS, params: sent },
            ctrl.signal,
          );
          if (ctrl.signal.aborted) return;
          rememberColumns(answer, doc, JSON.stringify(sent));
          const failed = answer.nodes[nodeId]?.error ?? answer.error;
          set({
            preview: { nodeId, loading: false, answer, error: failed ? String(failed.message ?? 'failed') : null, page: 0 },
            paramErrors: {},
          });
        } catch (err) {
          if (ctrl.signal.aborted) return;
          noteParamErrors(err);
          const problems = problemsOf(err);
          if (problems.length) graph().actions.setProblems(problems);
          const text = problems.length ? problems.map((p) => p.message).join('; ') : errorMessage(err);
          set({ preview: { nodeId, loading: false, answer: null, error: text, page: 0 } });
        }
      },

      setPreviewPage(page) {
        const p = get().preview;
        if (p) set({ preview: { ...p, page } });
      },

      closePreview() {
        previewAbort?.abort();
        set({ preview: null });
      },

      async ensureColumns(nodeIds) {
        const doc = graph().actions.toDocument();
        const values = params();
        const valuesKey = JSON.stringify(values);
        await Promise.all(
          nodeIds.map((id) => {
            if (!doc.nodes.some((n) => n.id === id)) return undefined;
            const key = `${outputKey(doc, id)}|${valuesKey}`;
            if (columnKeys.get(id) === key) return undefined;
            const running = fetching.get(key);
            if (running) return running;
            const job = services
              .preview(get().flow.id, { node_id: id, document: subDocument(doc, id), row_limit: 1, sample_sources: true, params: values })
              .then((answer) => rememberColumns(answer, doc, valuesKey))
              .catch(() => void columnKeys.set(id, key)) // an unfinished upstream: pickers fall back to text
              .finally(() => fetching.delete(key));
            fetching.set(key, job);
            return job;
          }),
        );
      },

      async run() {
        if (!(await actions.save())) return;
        runAbort?.abort();
        const ctrl = (runAbort = new AbortController());
        graph().actions.resetRun();
        let runId: string;
        try {
          runId = await services.startRun(get().flow.id, params());
        } catch (err) {
          refused('Not run', err);
          return;
        }
        set({ run: { runId, status: 'queued', error: null }, message: null, paramErrors: {} });
        const onEvent = (raw: unknown) => {
          const event = raw as RunEvent & { status?: string; data?: { error?: { message?: string } | null } };
          graph().actions.applyRunEvent(event);
          if (event.kind === 'run_started') set({ run: { runId, status: 'running', error: null } });
          if (event.kind === 'run_finished') {
            set({ run: { runId, status: event.status ?? 'succeeded', error: event.data?.error?.message ?? null } });
          }
        };
        try {
          await services.streamRunEvents(runId, onEvent, ctrl.signal);
        } catch (err) {
          if (!ctrl.signal.aborted) set({ message: { kind: 'error', text: `Lost the run's events: ${errorMessage(err)}` } });
        }
        if (ctrl.signal.aborted) return;
        if (!FINISHED.has(get().run?.status ?? '')) {
          // The stream ended early: ask for the outcome.
          const record = await services.getRun(runId).catch(() => null);
          if (record) set({ run: { runId, status: record.status, error: (record.error?.message as string | undefined) ?? null } });
        }
      },

      async cancelRun() {
        const run = get().run;
        if (!run || FINISHED.has(run.status)) return;
        try {
          await services.cancelRun(run.runId);
          set({ message: { kind: 'info', text: 'Cancel requested.' } });
        } catch (err) {
          set({ message: { kind: 'error', text: `Not canceled: ${errorMessage(err)}` } });
        }
      },

      setParamValue(name, value) {
        const { [name]: _old, ...values } = get().paramValues;
        const { [name]: _error, ...paramErrors } = get().paramErrors;
        set({ paramValues: value === '' ? values : { ...values, [name]: value }, paramErrors });
      },

      say(message) {
        set({ message });
      },

      dispose() {
        previewAbort?.abort();
        runAbort?.abort();
      },
    };

    return {
      flow,
      saving: false,
      message: null,
      preview: null,
      run: null,
      versions: null,
      versionsOpen: false,
      paramValues: {},
      paramErrors: {},
      actions,
    };
  });

  // Test values follow the declared parameters: a renamed parameter's value goes with it, a
  // removed one's goes (and so do the server's refusals of either). Both stores belong to one
  // open flow, so the subscription lives as long as they do.
  flowStore.subscribe((s, prev) => {
    if (s.meta.parameters === prev.meta.parameters) return;
    const { paramValues, paramErrors } = store.getState();
    const values = keepDeclared(followRenames(paramValues, prev.meta.parameters, s.meta.parameters), s.meta.parameters);
    const errors = keepDeclared(paramErrors, s.meta.parameters);
    if (values !== paramValues || errors !== paramErrors) store.setState({ paramValues: values, paramErrors: errors });
  });
  return store;
}

function pick(f: FlowInfo): FlowInfo {
  return { id: f.id, workspace_id: f.workspace_id, name: f.name, latest_version: f.latest_version, updated_at: f.updated_at };
}
