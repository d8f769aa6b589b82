// npm run gen:api [-- SPEC [OUT]]: TypeScript types of the server's API from its OpenAPI document.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const [spec = '../openapi.json', out = 'src/api/schema.d.ts'] = process.argv.slice(2);
if (!existsSync(spec)) {
  console.error(`gen:api: ${spec} not found. Write the server's OpenAPI document there first`);
  console.error('(GET /openapi.json of a running server, or the export the server provides).');
  process.exit(1);
}
const result = spawnSync('openapi-typescript', [spec, '-o', out], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
