export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatRows(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
}

/** "node 'kr': condition: …" -> "condition: …": the node is already on screen. */
export function withoutNodePrefix(message: string, nodeId: string): string {
  const prefix = `node '${nodeId}': `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
