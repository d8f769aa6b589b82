import type { Catalog } from '../lib/catalog';

/** GET /api/v1/nodes. Plain fetch until the generated client covers it. */
export async function fetchCatalog(signal?: AbortSignal): Promise<Catalog> {
  const res = await fetch('/api/v1/nodes', { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET /api/v1/nodes: ${res.status} ${res.statusText}`);
  const body: unknown = await res.json();
  // Accept a bare list or {nodes: [...]}, whichever the server settles on.
  const list = Array.isArray(body) ? body : (body as { nodes?: unknown }).nodes;
  if (!Array.isArray(list)) throw new Error('GET /api/v1/nodes: expected a list of nodes');
  return list as Catalog;
}
