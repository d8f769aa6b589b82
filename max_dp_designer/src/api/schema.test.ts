// @vitest-environment node
// The committed client types must be what openapi-typescript makes of the committed openapi.json.
// (tests/e2e/test_openapi_current.py checks openapi.json against the server itself.)
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../scripts/openapi-types.mjs';
import spec from '../../openapi.json';
import committed from './schema.d.ts?raw';

describe('schema.d.ts', () => {
  it('is generated from the committed openapi.json (else: npm run gen:api -- --no-export)', async () => {
    const fresh = await generateTypes(spec);
    expect(committed === fresh, 'schema.d.ts is stale: run `npm run gen:api -- --no-export`').toBe(true);
  });
});
