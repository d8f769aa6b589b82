// Placeholder until the server's OpenAPI document exists: `npm run gen:api` overwrites this file.
export interface paths {}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
}
