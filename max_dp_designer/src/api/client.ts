// The typed API client: openapi-fetch over the paths in schema.d.ts (`npm run gen:api`), with
// the session's fetch, which adds the access token and refreshes it once on a 401.
import createClient from 'openapi-fetch';
import { AuthSession } from './auth';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

export const session = new AuthSession();

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key === null || e.key === 'maxdp.refresh_token') session.storageChanged();
  });
}

export function createApiClient(auth: AuthSession, baseUrl = '') {
  return createClient<paths>({ baseUrl: baseUrl || globalThis.location?.origin || '', fetch: auth.fetch });
}

export const api = createApiClient(session);
export type ApiClient = typeof api;
