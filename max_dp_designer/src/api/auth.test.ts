// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { AuthSession, REFRESH_KEY } from './auth';

/** A fake server: rotating refresh tokens, reuse detection, access tokens that can be expired. */
function fakeServer() {
  let n = 0;
  const live = new Set<string>();
  const used = new Set<string>();
  const valid = new Set<string>();
  const calls: Array<{ path: string; auth: string | null; body: string }> = [];
  const pair = () => {
    n += 1;
    const access = `access-${n}`;
    const refresh = `refresh-${n}`;
    valid.add(access);
    live.add(refresh);
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: 900 };
  };
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    const body = await req.text();
    calls.push({ path, auth: req.headers.get('Authorization'), body });
    if (path === '/api/v1/auth/login') {
      return JSON.parse(body).password === 'pw' ? json(200, pair()) : json(401, { error: { code: 'invalid_credentials', message: 'wrong email or password' } });
    }
    if (path === '/api/v1/auth/refresh') {
      const token = JSON.parse(body).refresh_token as string;
      if (used.has(token)) return json(401, { error: { code: 'token_reused', message: 'reused' } });
      if (!live.has(token)) return json(401, { error: { code: 'invalid_token', message: 'invalid' } });
      live.delete(token);
      used.add(token);
      return json(200, pair());
    }
    const token = req.headers.get('Authorization')?.replace('Bearer ', '') ?? '';
    if (!valid.has(token)) return json(401, { error: { code: 'token_expired', message: 'expired' } });
    return json(200, { ok: true, body });
  };
  return { fetch, calls, expireAll: () => valid.clear(), used };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

const URL_BASE = 'http://maxdp.test';
const post = (path: string, body: unknown) =>
  new Request(`${URL_BASE}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

function setup() {
  const server = fakeServer();
  const storage = memoryStorage();
  const auth = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks: null });
  return { server, storage, auth };
}

describe('AuthSession', () => {
  it('signs in, keeps the refresh token in storage and the access token in memory', async () => {
    const { auth, storage } = setup();
    expect(auth.signedIn).toBe(false);
    await auth.login('a@b.c', 'pw');
    expect(auth.signedIn).toBe(true);
    expect(storage.m.get(REFRESH_KEY)).toBe('refresh-1');
    expect(auth.accessToken).toBe('access-1');
  });

  it('refuses wrong credentials with the server message', async () => {
    const { auth } = setup();
    await expect(auth.login('a@b.c', 'nope')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(auth.signedIn).toBe(false);
  });

  it('adds the bearer token to API requests', async () => {
    const { auth, server } = setup();
    await auth.login('a@b.c', 'pw');
    const res = await auth.fetch(new Request(`${URL_BASE}/api/v1/users/me`));
    expect(res.status).toBe(200);
    expect(server.calls.at(-1)!.auth).toBe('Bearer access-1');
  });

  it('on a 401 refreshes once and retries the request with its body', async () => {
    const { auth, server, storage } = setup();
    await auth.login('a@b.c', 'pw');
    server.expireAll();
    const res = await auth.fetch(post('/api/v1/flows/validate', { name: 'x' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, body: '{"name":"x"}' });
    expect(server.calls.map((c) => c.path)).toEqual([
      '/api/v1/auth/login',
      '/api/v1/flows/validate',
      '/api/v1/auth/refresh',
      '/api/v1/flows/validate',
    ]);
    expect(storage.m.get(REFRESH_KEY)).toBe('refresh-2'); // rotated
  });

  it('shares one refresh among concurrent 401s: no refresh token is presented twice', async () => {
    const { auth, server } = setup();
    await auth.login('a@b.c', 'pw');
    server.expireAll();
    const answers = await Promise.all([1, 2, 3].map(() => auth.fetch(new Request(`${URL_BASE}/api/v1/users/me`))));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(auth.signedIn).toBe(true);
  });

  it('uses the newest refresh token in storage (another tab rotated it)', async () => {
    const server = fakeServer();
    const storage = memoryStorage();
    const tabA = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks: null });
    const tabB = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks: null });
    await tabA.login('a@b.c', 'pw');
    expect(await tabB.refresh()).toBe(true); // tab B has no access token yet: refreshes
    server.expireAll();
    const res = await tabA.fetch(new Request(`${URL_BASE}/api/v1/users/me`));
    expect(res.status).toBe(200);
    expect(tabA.signedIn && tabB.signedIn).toBe(true);
    const presented = server.calls.filter((c) => c.path === '/api/v1/auth/refresh').map((c) => JSON.parse(c.body).refresh_token);
    expect(presented).toEqual(['refresh-1', 'refresh-2']);
  });

  it('signs out when the refresh is refused, and hands back the 401', async () => {
    const { auth, server, storage } = setup();
    await auth.login('a@b.c', 'pw');
    storage.setItem(REFRESH_KEY, 'stolen-and-revoked');
    server.expireAll();
    let notified = 0;
    auth.subscribe(() => (notified += 1));
    const res = await auth.fetch(new Request(`${URL_BASE}/api/v1/users/me`));
    expect(res.status).toBe(401);
    expect(auth.signedIn).toBe(false);
    expect(storage.m.has(REFRESH_KEY)).toBe(false);
    expect(notified).toBeGreaterThan(0);
  });

  it('does not retry the auth endpoints themselves', async () => {
    const { auth, server } = setup();
    const res = await auth.fetch(post('/api/v1/auth/login', { email: 'a', password: 'x' }));
    expect(res.status).toBe(401);
    expect(server.calls).toHaveLength(1);
  });

  it('after a reload (no access token) refreshes before the first request', async () => {
    const { server, storage } = setup();
    const first = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks: null });
    await first.login('a@b.c', 'pw');
    const reloaded = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks: null });
    const res = await reloaded.fetch(new Request(`${URL_BASE}/api/v1/users/me`));
    expect(res.status).toBe(200);
    expect(server.calls.slice(-2).map((c) => c.path)).toEqual(['/api/v1/auth/refresh', '/api/v1/users/me']);
  });

  it('logout revokes the refresh token on the server and forgets it', async () => {
    const { auth, server, storage } = setup();
    await auth.login('a@b.c', 'pw');
    await auth.logout();
    expect(server.calls.at(-1)).toMatchObject({ path: '/api/v1/auth/logout', body: '{"refresh_token":"refresh-1"}' });
    expect(auth.signedIn).toBe(false);
    expect(storage.m.size).toBe(0);
  });

  it('serializes refreshes through the lock manager when there is one', async () => {
    const server = fakeServer();
    const storage = memoryStorage();
    const names: string[] = [];
    const locks = { request: <T,>(name: string, cb: () => Promise<T>) => (names.push(name), cb()) };
    const auth = new AuthSession({ baseUrl: URL_BASE, storage, fetch: server.fetch, locks });
    await auth.login('a@b.c', 'pw');
    await auth.refresh();
    expect(names).toEqual(['maxdp.auth.refresh']);
  });
});
