// npm run gen:api [-- --no-export]
//   1. exports the server's OpenAPI document to openapi.json (runs the server's create_app() with
//      the repository's Python: ../.venv/bin/python, or $MAXDP_PYTHON);
//   2. writes src/api/schema.d.ts from it with openapi-typescript.
// With --no-export only step 2 runs, from the committed openapi.json (no Python needed).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTypes } from './openapi-types.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const designer = resolve(here, '..');
const repo = resolve(designer, '..');
const specPath = join(designer, 'openapi.json');
const outPath = join(designer, 'src/api/schema.d.ts');

const EXPORT = 'from max_dp_server.app import create_app; import json; print(json.dumps(create_app().openapi(), indent=2))';

if (!process.argv.includes('--no-export')) {
  const python = process.env.MAXDP_PYTHON ?? join(repo, '.venv/bin/python');
  if (!existsSync(python)) {
    console.error(`gen:api: ${python} not found: run \`make install\` first, or set MAXDP_PYTHON,`);
    console.error('or pass --no-export to regenerate the types from the committed openapi.json.');
    process.exit(1);
  }
  const result = spawnSync(python, ['-c', EXPORT], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    console.error(`gen:api: exporting the OpenAPI document failed:\n${result.stderr}`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(specPath, result.stdout);
  console.log(`gen:api: wrote ${specPath}`);
}

const spec = JSON.parse(readFileSync(specPath, 'utf8'));
writeFileSync(outPath, await generateTypes(spec));
console.log(`gen:api: wrote ${outPath} (${Object.keys(spec.paths ?? {}).length} paths)`);
