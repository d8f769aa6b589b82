// A small router on the History API: the location as an external store, navigation that asks
// the registered blockers first (unsaved changes), and path patterns with :params.

export interface Location {
  pathname: string;
  search: string;
}

type Blocker = () => string | null;

const listeners = new Set<() => void>();
const blockers = new Set<Blocker>();
let current = read();

function read(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

function update(): void {
  const next = read();
  if (next.pathname === current.pathname && next.search === current.search) return;
  current = next;
  for (const l of [...listeners]) l();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function getLocation(): Location {
  return current;
}

/** The message of the first blocker that objects to leaving, or null. */
function blockedBy(): string | null {
  for (const b of blockers) {
    const message = b();
    if (message) return message;
  }
  return null;
}

/** Asks the user when a blocker objects; true when the navigation may go on. */
export function confirmLeave(): boolean {
  const message = blockedBy();
  return message === null || window.confirm(message);
}

/** Goes to `to` (a path with an optional query); false when the user chose to stay. */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): boolean {
  const target = new URL(to, window.location.href);
  if (target.pathname === current.pathname && target.search === current.search) return true;
  if (!options.force && !confirmLeave()) return false;
  const url = target.pathname + target.search + target.hash;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  update();
  return true;
}

/** Registers a blocker; returns its removal. */
export function addBlocker(blocker: Blocker): () => void {
  blockers.add(blocker);
  return () => blockers.delete(blocker);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => {
    if (blockedBy() !== null && !confirmLeave()) {
      // Back/forward already moved the URL: put it back.
      window.history.pushState(null, '', current.pathname + current.search);
      return;
    }
    update();
  });
}

/** Parameters of `pathname` for `pattern` ("/flows/:flowId"), or null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = pathname.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}

/** `path?query` with the entries of `params` that are set. */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
