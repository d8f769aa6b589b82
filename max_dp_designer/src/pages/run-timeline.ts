// Where each node's bar sits on a run's timeline, in percent of the run's span.

export interface TimedNode {
  node_id: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface TimelineRow<N> {
  node: N;
  left: number;
  width: number | null;
}

/** Nodes in start order, each placed between the first start and the last finish. */
export function timeline<N extends TimedNode>(run: { nodes: N[] }): TimelineRow<N>[] {
  const t = (s: string | null) => (s ? Date.parse(s) : NaN);
  const starts = run.nodes.map((n) => t(n.started_at)).filter(Number.isFinite);
  const ends = run.nodes.map((n) => t(n.finished_at)).filter(Number.isFinite);
  const min = Math.min(...starts);
  const max = Math.max(...ends, ...starts);
  const span = max - min;
  const order = [...run.nodes].sort((a, b) => (t(a.started_at) || Infinity) - (t(b.started_at) || Infinity));
  return order.map((node) => {
    const s = t(node.started_at);
    if (!Number.isFinite(s) || !Number.isFinite(min)) return { node, left: 0, width: null };
    const e = Number.isFinite(t(node.finished_at)) ? t(node.finished_at) : max;
    if (span <= 0) return { node, left: 0, width: 100 };
    const left = ((s - min) / span) * 100;
    return { node, left, width: Math.max(0.5, ((e - s) / span) * 100) };
  });
}
