// The typed API client. `npm run gen:api` writes schema.d.ts from the server's OpenAPI document
// (../openapi.json); until the server publishes one, schema.d.ts is an empty placeholder.
import createClient from 'openapi-fetch';
import type { paths } from './schema';

export const api = createClient<paths>({ baseUrl: '' });
