// Login state: the access token lives in memory only; the refresh token in localStorage, so a
// reload stays signed in. Refresh tokens rotate: each is good for one refresh, and presenting a
// used one signs out every session of that login (401 token_reused). So refreshes are
// single-flight in a tab, and serialized across tabs with the Web Locks API, each reading the
// newest refresh token from storage inside the lock: no token is ever presented twice.
import { ApiError, toApiError } from './errors';

export const REFRESH_KEY = 'maxdp.refresh_token';
const LOCK_NAME = 'maxdp.auth.refresh';
const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout'];

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
}

interface LockLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface AuthOptions {
  baseUrl?: string;
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  fetch?: (request: Request) => Promise<Response>;
  locks?: LockLike | null;
}

type Listener = () => void;

export class AuthSession {
  private access: string | null = null;
  private memoryRefresh: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly baseUrl: string;
  private readonly storage: AuthOptions['storage'];
  private readonly send: (request: Request) => Promise<Response>;
  private readonly locks: LockLike | null;

  constructor(options: AuthOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.storage = options.storage === undefined ? safeLocalStorage() : options.storage;
    this.send = options.fetch ?? ((r) => globalThis.fetch(r));
    this.locks = options.locks === undefined ? defaultLocks() : options.locks;
  }

  /** Signed in as far as this tab knows: a refresh token is held. */
  get signedIn(): boolean {
    return this.refreshToken() !== null;
  }

  get accessToken(): string | null {
    return this.access;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(email: string, password: string): Promise<void> {
    const res = await this.send(jsonRequest(`${this.baseUrl}/api/v1/auth/login`, { email, password }));
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) throw toApiError(res.status, body, 'login failed');
    this.accept(body as TokenPair);
  }

  async logout(): Promise<void> {
    const token = this.refreshToken();
    this.clear();
    if (token) {
      await this.send(jsonRequest(`${this.baseUrl}/api/v1/auth/logout`, { refresh_token: token })).catch(() => undefined);
    }
  }

  /** A new token pair from the refresh token; false (and signed out) when the server refuses it. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.withLock(() => this.doRefresh()).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** fetch() for the API client: adds the access token; on 401 refreshes once and retries once. */
  readonly fetch = async (request: Request): Promise<Response> => {
    if (isAuthPath(request.url)) return this.send(request);
    const retry = request.clone();
    if (this.access === null && this.signedIn) await this.refresh();
    const used = this.access;
    const res = await this.send(this.authorize(request));
    if (res.status !== 401) return res;
    // Another request may have refreshed meanwhile: then just retry with the new token.
    const fresh = this.access !== used && this.access !== null ? true : await this.refresh();
    if (!fresh) return res;
    return this.send(this.authorize(retry));
  };

  private authorize(request: Request): Request {
    if (this.access) request.headers.set('Authorization', `Bearer ${this.access}`);
    return request;
  }

  private async doRefresh(): Promise<boolean> {
    const token = this.refreshToken(); // read inside the lock: another tab may have rotated it
    if (!token) {
      this.clear();
      return false;
    }
    let res: Response;
    try {
      res = await this.send(jsonRequest(`${this.baseUrl}/api/v1/auth/refresh`, { refresh_token: token }));
    } catch {
      return false; // offline: keep the tokens, the next request tries again
    }
    if (!res.ok) {
      if (res.status === 401 || res.status === 403) this.clear();
      return false;
    }
    this.accept((await res.json()) as TokenPair);
    return true;
  }

  private accept(pair: TokenPair): void {
    if (!pair?.access_token || !pair.refresh_token) throw new ApiError(500, 'bad_answer', 'the server sent no tokens');
    this.access = pair.access_token;
    this.memoryRefresh = pair.refresh_token;
    this.storage?.setItem(REFRESH_KEY, pair.refresh_token);
    this.emit();
  }

  private clear(): void {
    const was = this.signedIn || this.access !== null;
    this.access = null;
    this.memoryRefresh = null;
    this.storage?.removeItem(REFRESH_KEY);
    if (was) this.emit();
  }

  private refreshToken(): string | null {
    return this.storage ? this.storage.getItem(REFRESH_KEY) : this.memoryRefresh;
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.request(LOCK_NAME, fn) : fn();
  }

  /** Another tab signed in or out. */
  storageChanged(): void {
    if (!this.signedIn) this.access = null;
    this.emit();
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}

function isAuthPath(url: string): boolean {
  const path = new URL(url, 'http://x').pathname;
  return AUTH_PATHS.includes(path);
}

function jsonRequest(url: string, body: unknown): Request {
  return new Request(new URL(url, globalThis.location?.href ?? 'http://localhost').toString(), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: tokens stay in memory
  }
}

function defaultLocks(): LockLike | null {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? { request: <T,>(name: string, cb: () => Promise<T>) => locks.request(name, cb) as Promise<T> } : null;
}
