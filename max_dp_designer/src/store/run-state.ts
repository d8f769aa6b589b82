// Per-node run status fed by the run's event stream (flows/records.py RunEvent.to_dict()).

export type NodeRunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'canceled';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'timed_out';

export interface RunError {
  code?: string;
  message: string;
  node_id?: string | null;
  node_type?: string | null;
}

export interface RunEvent {
  kind: 'run_started' | 'node_started' | 'node_finished' | 'run_finished';
  run_id: string;
  node_id?: string | null;
  status?: string | null;
  data?: {
    duration_ms?: number | null;
    rows_in?: number | null;
    rows_out?: number | null;
    error?: RunError | null;
    reason?: string | null;
  };
}

export interface NodeRunState {
  status: NodeRunStatus;
  duration_ms?: number | null;
  rows_in?: number | null;
  rows_out?: number | null;
  error?: RunError | null;
  /** Why a node was skipped ("branch not taken" …). */
  reason?: string | null;
}

export interface RunState {
  runId: string | null;
  status: RunStatus | null;
  duration_ms: number | null;
  error: RunError | null;
  nodes: Record<string, NodeRunState>;
}

export const idleRun: RunState = { runId: null, status: null, duration_ms: null, error: null, nodes: {} };

/** The next run state after one event; events of another run than the current one are ignored. */
export function reduceRunEvent(state: RunState, event: RunEvent): RunState {
  if (event.kind === 'run_started') {
    return { ...idleRun, runId: event.run_id, status: 'running' };
  }
  if (state.runId !== null && event.run_id !== state.runId) return state;
  const base = state.runId === null ? { ...state, runId: event.run_id, status: 'running' as const } : state;
  const data = event.data ?? {};
  switch (event.kind) {
    case 'node_started':
      if (!event.node_id) return base;
      return { ...base, nodes: { ...base.nodes, [event.node_id]: { status: 'running' } } };
    case 'node_finished': {
      if (!event.node_id) return base;
      const node: NodeRunState = {
        status: (event.status as NodeRunStatus | null) ?? 'succeeded',
        duration_ms: data.duration_ms ?? null,
        rows_in: data.rows_in ?? null,
        rows_out: data.rows_out ?? null,
        error: data.error ?? null,
        reason: data.reason ?? null,
      };
      return { ...base, nodes: { ...base.nodes, [event.node_id]: node } };
    }
    case 'run_finished':
      return {
        ...base,
        status: (event.status as RunStatus | null) ?? 'succeeded',
        duration_ms: data.duration_ms ?? null,
        error: data.error ?? null,
      };
    default:
      return base;
  }
}
