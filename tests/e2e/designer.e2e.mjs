// The designer in a real browser against a real server (started by tests/e2e/harness.py):
// sign in, create a workspace and a flow, build source -> filter -> group -> display by dragging
// from the palette, wire it (a cycle is refused), configure it through the forms (an invalid
// expression shows on its node), preview a node, save a version, run the flow and find the run
// in the history; declare a parameter, use it in the filter and preview with a test value; edit a
// schedule and a connection in place; add a second user to the workspace, change their role and
// remove them; save a second version and compare versions (and the unsaved document); rename the
// parameter (its use in the filter follows) and undo that. With MAXDP_E2E_SCREENSHOTS=DIR it also
// writes the screenshots used in README.
//
// Environment: MAXDP_E2E_URL, MAXDP_E2E_EMAIL, MAXDP_E2E_PASSWORD, MAXDP_E2E_CHROMIUM,
// MAXDP_E2E_ARTIFACTS (where a failure leaves its screenshot), MAXDP_E2E_SCREENSHOTS.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
// playwright-core is a dev dependency of the designer, not of the repository root.
const require = createRequire(join(root, 'max_dp_designer/package.json'));
const { chromium } = require('playwright-core');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const BASE = env('MAXDP_E2E_URL');
const EMAIL = env('MAXDP_E2E_EMAIL');
const PASSWORD = env('MAXDP_E2E_PASSWORD');
const SHOTS = process.env.MAXDP_E2E_SCREENSHOTS;
const ARTIFACTS = env('MAXDP_E2E_ARTIFACTS', join(tmpdir(), 'maxdp-e2e-artifacts'));
const TIMEOUT = 15_000;

const ROWS = [
  { region: 'KR', category: 'drinks', amount: 120 },
  { region: 'KR', category: 'food', amount: 35.5 },
  { region: 'US', category: 'drinks', amount: 80 },
  { region: 'KR', category: 'drinks', amount: 42 },
  { region: 'JP', category: 'snacks', amount: 18 },
  { region: 'US', category: 'food', amount: null },
  { region: 'KR', category: 'snacks', amount: 9.5 },
];

const profile = mkdtempSync(join(tmpdir(), 'maxdp-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: env('MAXDP_E2E_CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
context.setDefaultTimeout(TIMEOUT);
const page = context.pages()[0] ?? (await context.newPage());
const browserErrors = [];
page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
page.on('console', (m) => m.type() === 'error' && browserErrors.push(`console: ${m.text()}`));
// confirm() of restore and of leaving with unsaved changes: answered as the test says.
const dialogs = { answer: 'accept', seen: [] };
page.on('dialog', (d) => {
  dialogs.seen.push(d.message());
  void (dialogs.answer === 'accept' ? d.accept() : d.dismiss());
});

let passed = 0;
const started = Date.now();

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'failure.png');
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.error(`FAIL ${name}: ${err?.stack ?? err}`);
    console.error(`  page: ${page.url()}  screenshot: ${shot}`);
    if (browserErrors.length) console.error(`  browser errors:\n    ${browserErrors.join('\n    ')}`);
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    process.exit(1);
  }
  passed += 1;
  console.log(`ok ${passed} ${name} (${Date.now() - t0} ms)`);
}

async function shoot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(250); // let transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const sections = page.getByRole('navigation', { name: 'Sections' });
const inspector = page.getByRole('complementary', { name: 'Inspector' });
const node = (id) => page.locator(`.react-flow__node[data-id="${id}"]`);
const handle = (id, kind, port) => node(id).locator(`.react-flow__handle.${kind}[data-handleid="${port}"]`);
const edges = () => page.locator('.react-flow__edge');

async function center(locator) {
  const box = await locator.boundingBox();
  expect(box, 'element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags from one port to another with the mouse, as a person wires nodes. */
async function wire(from, to, { expectRefusal } = {}) {
  const a = await center(from);
  const b = await center(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  if (expectRefusal) {
    const hint = page.locator('.connection-hint');
    await hint.waitFor();
    const text = await hint.textContent();
    expect(text.includes(expectRefusal), `connection hint says "${text}"`);
  }
  await page.mouse.up();
}

async function layout() {
  await page.getByRole('button', { name: 'Auto-layout' }).click();
  await page.getByRole('button', { name: 'Fit View', exact: true }).click();
  await page.waitForTimeout(300); // the viewport animates
}

async function select(id) {
  await node(id).locator('.flow-node-header').click();
  await inspector.locator('.flow-node-id, #node-id').first().waitFor();
  await page.waitForFunction((want) => document.querySelector('#node-id')?.value === want, id);
}

await step('the login page asks for credentials', async () => {
  await page.goto(`${BASE}/`);
  await page.getByRole('form', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(EMAIL);
  await shoot('login');
});

await step('a wrong password is refused with the server message', async () => {
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /password|credentials/i }).waitFor();
});

await step('signs in', async () => {
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Workspaces' }).waitFor();
});

await step('creates a workspace', async () => {
  await page.getByLabel('New workspace name').fill('Sales');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.waitForURL(/\/workspaces\/[0-9a-f-]{36}$/);
  await page.getByRole('heading', { name: 'Sales' }).waitFor();
});

await step('imports a flow from JSON', async () => {
  await page.locator('input[type=file][aria-label="Flow JSON file"]').setInputFiles(join(root, 'flows/examples/orders_by_region.json'));
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await node('totals').waitFor();
  await sections.getByRole('link', { name: 'Flows' }).click();
  await page.getByRole('link', { name: 'orders-by-region' }).waitFor();
});

await step('creates a flow and opens it on the canvas', async () => {
  await page.getByLabel('New flow name').fill('orders-e2e');
  await page.getByRole('button', { name: 'Create flow' }).click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await page.getByRole('navigation', { name: 'Node palette' }).waitFor();
});
const flowUrl = page.url();

await step('drags source, filter, group and display from the palette', async () => {
  const pane = page.locator('.react-flow__pane');
  const palette = page.getByRole('navigation', { name: 'Node palette' });
  const placed = [
    ['static_data', 60],
    ['filter_rows', 300],
    ['group_aggregate', 540],
    ['display_results', 780],
  ];
  for (const [type, x] of placed) {
    await palette.getByLabel('Search nodes').fill(type);
    await palette.locator(`[data-node-type="${type}"]`).dragTo(pane, { targetPosition: { x, y: 140 + (x % 7) } });
    await node(`${type}_1`).waitFor();
  }
  await palette.getByLabel('Search nodes').fill('');
  expect((await page.locator('.react-flow__node').count()) === 4, 'four nodes on the canvas');
  await layout(); // unconnected: one column, every port in reach
});

await step('wires the ports; a cycle is refused', async () => {
  await wire(handle('filter_rows_1', 'source', 'out'), handle('group_aggregate_1', 'target', 'in'));
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 1);
  // group -> filter would close the loop filter -> group -> filter.
  await wire(handle('group_aggregate_1', 'source', 'out'), handle('filter_rows_1', 'target', 'in'), {
    expectRefusal: 'would create a cycle',
  });
  await page.waitForTimeout(200);
  expect((await edges().count()) === 1, 'the cycle edge was not added');
  await wire(handle('static_data_1', 'source', 'out'), handle('filter_rows_1', 'target', 'in'));
  await wire(handle('group_aggregate_1', 'source', 'out'), handle('display_results_1', 'target', 'in'));
  await page.waitForFunction(() => document.querySelectorAll('.react-flow__edge').length === 3);
  await layout(); // now left to right
});

await step('configures the source rows through its form', async () => {
  await select('static_data_1');
  const rows = inspector.getByRole('textbox', { name: 'Rows', exact: true });
  await rows.fill(JSON.stringify(ROWS));
  await rows.blur();
  await inspector.getByLabel('Label').fill('Orders');
});

await step('an invalid expression is shown inline and on its node', async () => {
  await select('filter_rows_1');
  const condition = inspector.getByLabel('Condition');
  await condition.fill('amount >');
  // Inline, from the server's validator, under the field ...
  await page.locator('[data-field="condition"] .field-error').filter({ hasText: 'invalid syntax' }).waitFor();
  // ... and on the node itself.
  await node('filter_rows_1').locator('.node-problems').filter({ hasText: 'invalid syntax' }).waitFor();
  await condition.fill('amount > 20');
  await node('filter_rows_1').locator('.node-problems').waitFor({ state: 'detached' });
});

await step('configures the group with a column picker fed by the upstream preview', async () => {
  await select('group_aggregate_1');
  const groupBy = inspector.getByRole('group', { name: 'Group By' });
  await groupBy.getByRole('button', { name: 'Add column' }).click();
  // The picker is a select once the filter's output columns are known (a preview of it).
  const picker = inspector.getByLabel('Group By 1', { exact: true });
  await page.waitForFunction(() => {
    const el = document.querySelector('select[aria-label="Group By 1"]');
    return el && [...el.options].some((o) => o.value === 'region');
  });
  await picker.selectOption('region');
  const aggregations = inspector.getByRole('group', { name: 'Aggregations' });
  await aggregations.getByRole('button', { name: 'Add aggregations' }).click();
  await aggregations.getByLabel('Column', { exact: true }).fill('amount');
  await aggregations.getByLabel('Function', { exact: true }).selectOption('sum');
  await aggregations.getByLabel('As', { exact: true }).fill('total');
  await node('group_aggregate_1').locator('.node-problems').waitFor({ state: 'detached' });
});

await step('previews a node: its rows as a paged table with types and null counts', async () => {
  await page.getByRole('button', { name: 'Run to here' }).first().click();
  const panel = page.getByRole('region', { name: 'Preview' });
  await panel.locator('tbody tr').first().waitFor();
  const headers = await panel.locator('thead th .col-name').allTextContents();
  expect(JSON.stringify(headers) === JSON.stringify(['region', 'total']), `preview columns ${headers}`);
  const rows = await panel.locator('tbody tr').count();
  expect(rows === 2, `two groups over 20 (KR, US), got ${rows}`);
  expect((await panel.locator('thead .col-type').first().textContent()) === 'text', 'column types shown');
  await shoot('canvas');
  // The source's preview shows its null count.
  await select('static_data_1');
  await page.getByRole('button', { name: 'Run to here' }).first().click();
  await panel.getByText('1 null').waitFor();
  await panel.getByRole('button', { name: 'Close preview' }).click();
  await page.getByRole('button', { name: 'Fit View', exact: true }).click();
});

await step('saves a version with a comment', async () => {
  await page.getByRole('button', { name: 'Save version…' }).click();
  await page.getByLabel('Comment').fill('first working version');
  await page.getByRole('button', { name: 'Save version', exact: true }).click();
  await page.getByText('Saved as version 1.').waitFor();
  await page.getByRole('button', { name: 'Versions (1)' }).click();
  await page.getByRole('complementary', { name: 'Versions' }).getByText('first working version').waitFor();
});

await step('the unsaved-changes guard asks before leaving; Ctrl+S saves', async () => {
  await page.getByRole('complementary', { name: 'Versions' }).getByRole('button', { name: 'Close versions' }).click();
  await select('display_results_1');
  await inspector.getByLabel('Name', { exact: true }).fill('by_region');
  await page.getByText('● unsaved').waitFor();
  dialogs.answer = 'dismiss';
  await sections.getByRole('link', { name: 'Runs' }).click();
  expect(dialogs.seen.at(-1)?.includes('unsaved changes'), `asked before leaving: ${dialogs.seen.at(-1)}`);
  expect(page.url() === flowUrl, 'stayed on the flow');
  dialogs.answer = 'accept';
  await page.keyboard.press('Control+s');
  await page.getByText('● unsaved').waitFor({ state: 'detached' });
});

await step('a failing run shows the failed node and its error', async () => {
  await select('filter_rows_1');
  await inspector.getByLabel('Condition').fill('amont > 20'); // a column that does not exist
  await page.getByRole('button', { name: '▶ Run' }).click();
  await page.getByTestId('run-chip').filter({ hasText: 'run failed' }).waitFor();
  const status = node('filter_rows_1').getByTestId('node-status');
  await status.filter({ hasText: 'failed' }).waitFor();
  expect((await status.textContent()).includes('amont'), 'the error names the column');
});

await step('restores version 1', async () => {
  await page.getByRole('button', { name: 'Versions (1)' }).click();
  const versions = page.getByRole('complementary', { name: 'Versions' });
  await versions.getByRole('button', { name: 'Restore' }).click();
  await page.getByText('Version 1 restored.').waitFor();
  await versions.getByRole('button', { name: 'Close versions' }).click();
  await select('filter_rows_1');
  expect((await inspector.getByLabel('Condition').inputValue()) === 'amount > 20', 'the condition of version 1');
});

await step('runs the flow with live per-node status', async () => {
  await page.getByRole('button', { name: '▶ Run' }).click();
  await page.getByTestId('run-chip').filter({ hasText: 'run succeeded' }).waitFor();
  const status = await node('display_results_1').getByTestId('node-status').textContent();
  expect(status.startsWith('succeeded') && status.includes('2 rows'), `display node status "${status}"`);
  await select('group_aggregate_1');
  await shoot('run-canvas');
});

await step('finds the run in the history with per-node timings and row counts', async () => {
  await page.getByTestId('run-chip').click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await page.getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor();
  const row = page.locator('tr[data-node-id="filter_rows_1"]');
  const cells = await row.locator('td').allTextContents();
  expect(cells[3] === '7' && cells[4] === '4', `filter rows in/out ${cells}`);
  expect(/ms$/.test(cells[5]), `filter duration ${cells[5]}`);
  await shoot('run');
});

await step('lists runs filtered by status, with their errors', async () => {
  await page.getByRole('link', { name: '← Runs' }).click();
  const rows = page.locator('.runs-table tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('.runs-table tbody tr').length === 2);
  await page.getByLabel('Status').selectOption('failed');
  await page.waitForFunction(() => document.querySelectorAll('.runs-table tbody tr').length === 1);
  expect((await rows.first().locator('.error-cell').textContent()).includes('amont'), 'the failed run shows its error');
  await page.getByLabel('Status').selectOption('succeeded');
  await rows.first().locator('.status-badge', { hasText: 'succeeded' }).waitFor();
  await page.getByLabel('Flow').selectOption({ label: 'orders-by-region' });
  await page.getByText('No runs match.').waitFor();
});

await step('publishes version 1 with API-key auth and a rate limit', async () => {
  await page.goto(`${flowUrl}/publish`);
  const form = page.getByRole('form', { name: 'Publish' });
  await form.waitFor();
  expect((await form.getByLabel('Endpoint').inputValue()) === 'orders-e2e', 'the endpoint name comes from the flow name');
  await form.getByLabel('Version').selectOption('1');
  await form.getByLabel('Rate limit').fill('120');
  await form.getByRole('button', { name: 'Publish' }).click();
  await page.locator('.endpoint-list').getByText('/execute/orders-e2e').waitFor();
  await page.locator('.endpoint-list').getByText('v1 · api_key · 120/min · sync').waitFor();
});

let apiKey;
await step('makes an API key for the endpoint and calls it: curl example, Try it, and from outside', async () => {
  await page.getByRole('button', { name: 'Create an API key for this endpoint' }).click();
  apiKey = (await page.getByTestId('new-api-key').textContent()).trim();
  expect(apiKey.startsWith('mdp_'), `an API key, got ${apiKey}`);
  const curl = await page.getByTestId('curl-example').textContent();
  expect(curl.includes(`${BASE}/execute/orders-e2e`) && curl.includes(`X-API-Key: ${apiKey}`), `curl example: ${curl}`);
  await shoot('publish');
  await page.getByRole('button', { name: 'Try it' }).click();
  const answer = page.getByTestId('call-answer');
  await answer.waitFor();
  expect((await answer.textContent()).includes('197.5'), 'the answer has the KR total');
  // The same call as the curl example, from outside the browser.
  const call = (key) =>
    fetch(`${BASE}/execute/orders-e2e`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key ? { 'X-API-Key': key } : {}) },
      body: '{"params": {}}',
    });
  const ok = await call(apiKey);
  expect(ok.status === 200, `call with the key: HTTP ${ok.status}`);
  expect((await call(null)).status === 401, 'a call without a key is refused');
});

await step('the endpoint calls show in run history', async () => {
  await page.goto(`${BASE}/runs`);
  // Endpoint calls are recorded in batches (MAXDP_RUN_RECORD_INTERVAL_SECONDS): refresh until there.
  for (let i = 0; (await page.locator('.runs-table tbody tr').count()) < 4; i++) {
    expect(i < 40, 'the endpoint calls never showed up in run history');
    await page.waitForTimeout(250);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
  const triggers = await page.locator('.runs-table tbody tr td:nth-child(4)').allTextContents();
  expect(triggers.filter((t) => t !== 'manual').length === 2, `two endpoint calls: ${triggers}`);
  await shoot('runs');
});

await step('lists and revokes API keys', async () => {
  await sections.getByRole('link', { name: 'API keys' }).click();
  const row = page.locator('tr', { hasText: 'orders-e2e key' });
  await row.waitFor();
  expect(apiKey.startsWith((await row.locator('code').textContent()).replace('…', '')), 'the key is listed by its prefix');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  const res = await fetch(`${BASE}/execute/orders-e2e`, { method: 'POST', headers: { 'X-API-Key': apiKey }, body: '{}' });
  expect(res.status === 401, `a revoked key is refused (HTTP ${res.status})`);
});

await step('schedules the flow with a preview of the next fire times', async () => {
  await page.goto(`${flowUrl}/schedules`);
  const form = page.getByRole('form', { name: 'New schedule' });
  await form.getByLabel('Time zone').fill('Asia/Seoul');
  const preview = page.getByTestId('cron-preview');
  await preview.locator('li').nth(4).waitFor();
  expect((await preview.locator('li').first().textContent()).includes('09:00 GMT+9'), 'fire times in the zone');
  await form.getByLabel('Cron').fill('61 * * * *');
  await preview.locator('.field-error').waitFor();
  await form.getByRole('button', { name: 'weekdays at 09:00' }).click();
  await preview.locator('li').first().waitFor();
  await form.getByLabel('Name').fill('weekday report');
  await form.getByRole('button', { name: 'Create schedule' }).click();
  const item = page.locator('.schedule-list > li', { hasText: 'weekday report' });
  await item.locator('.fire-times li').nth(4).waitFor();
  await shoot('schedules');
  await item.getByRole('button', { name: 'Pause' }).click();
  await item.getByText('off', { exact: true }).waitFor();
});

/**
 * The body the page sends with its next `method` request of an API path, and the server's answer.
 * The request is routed through the test so its body can be read (a response event may not carry it).
 */
async function requestOf(method, pathPattern, act) {
  const matches = (url) => pathPattern.test(new URL(url).pathname);
  let sent;
  const handler = async (route) => {
    if (route.request().method() === method) sent = route.request().postData();
    await route.continue();
  };
  await page.route(matches, handler);
  try {
    const response = page.waitForResponse((r) => r.request().method() === method && matches(r.url()));
    await act();
    const r = await response;
    expect(r.status() === 200, `${method} ${r.url()}: HTTP ${r.status()} ${await r.text()}`);
    return { sent: JSON.parse(sent ?? 'null'), answer: await r.json() };
  } finally {
    await page.unroute(matches, handler);
  }
}

const patchOf = (pathPattern, act) => requestOf('PATCH', pathPattern, act);

await step("edits a schedule's cron in place; the list shows the server's new fire times", async () => {
  const item = page.locator('.schedule-list > li', { hasText: 'weekday report' });
  await item.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit schedule weekday report' });
  expect((await form.getByLabel('Cron').inputValue()) === '0 9 * * 1-5', 'the form is prefilled with the cron');
  expect((await form.getByLabel('Time zone').inputValue()) === 'Asia/Seoul', 'and the time zone');
  expect(!(await form.getByLabel('Enabled').isChecked()), 'and the paused state');
  // An invalid cron is refused by the server's preview, naming the field.
  await form.getByLabel('Cron').fill('0 25 * * *');
  await form.getByTestId('cron-preview').locator('.field-error').filter({ hasText: 'cron' }).waitFor();
  await form.getByLabel('Cron').fill('30 7 * * *');
  await form.getByTestId('cron-preview').locator('li').nth(4).waitFor();
  await form.getByLabel('Enabled').check();
  const { sent, answer } = await patchOf(/^\/api\/v1\/schedules\/[0-9a-f-]{36}$/, () =>
    form.getByRole('button', { name: 'Save changes' }).click(),
  );
  expect(JSON.stringify(sent) === JSON.stringify({ cron: '30 7 * * *', enabled: true }), `only the changed fields: ${JSON.stringify(sent)}`);
  await form.waitFor({ state: 'detached' });
  await item.locator('code').filter({ hasText: '30 7 * * *' }).waitFor();
  await item.getByText('on', { exact: true }).waitFor();
  const times = item.locator('.fire-times time');
  await times.nth(answer.next_fire_times.length - 1).waitFor();
  const shown = await times.evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
  expect(JSON.stringify(shown) === JSON.stringify(answer.next_fire_times), `fire times ${shown} are the API's ${answer.next_fire_times}`);
  const first = new Date(answer.next_fire_times[0]);
  const seoul = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Seoul' }).format(first);
  expect(seoul === '07:30', `the API's next fire is 07:30 in Seoul, got ${seoul}`);
  expect((await times.first().textContent()).includes('07:30'), 'shown in the zone');
});

await step('tests a connection and browses its tables', async () => {
  await sections.getByRole('link', { name: 'Connections' }).click();
  await page.getByRole('button', { name: 'New connection…' }).click();
  const form = page.getByRole('form', { name: 'New connection' });
  await form.getByLabel('Name').fill('shop');
  await form.getByLabel('Kind').selectOption('sqlite');
  await form.getByLabel('Database file').fill('shop.sqlite');
  await form.getByRole('button', { name: 'Create' }).click();
  const row = page.locator('tr', { hasText: 'shop' }).first();
  await row.getByRole('button', { name: 'Test' }).click();
  await page.locator('.test-result').getByText('reachable').waitFor();
  await row.getByRole('button', { name: 'Tables' }).click();
  const browser = page.getByRole('region', { name: 'Table browser' });
  await browser.getByRole('button', { name: 'orders' }).click();
  await browser.getByRole('cell', { name: 'customer_id' }).waitFor();
  await browser.getByRole('cell', { name: 'PK' }).waitFor();
  await shoot('connections');
});

await step('edits a connection in place (secrets write-only) and tests it again', async () => {
  const row = page.locator('tr', { hasText: 'shop' }).first();
  await row.getByRole('button', { name: 'Edit' }).click();
  const form = page.getByRole('form', { name: 'Edit connection shop' });
  expect((await form.getByLabel('Database file').inputValue()) === 'shop.sqlite', 'the form is prefilled');
  expect((await form.getByLabel('Statement timeout (s)').inputValue()) === '30', 'with the timeout');
  await form.getByLabel('Name').fill('shop_main');
  await form.getByLabel('Statement timeout (s)').fill('45');
  const { sent, answer } = await patchOf(/^\/api\/v1\/connections\/[0-9a-f-]{36}$/, () =>
    form.getByRole('button', { name: 'Save changes' }).click(),
  );
  expect(JSON.stringify(sent) === JSON.stringify({ name: 'shop_main', statement_timeout_s: 45 }), `only the changed fields: ${JSON.stringify(sent)}`);
  expect(answer.name === 'shop_main' && answer.statement_timeout_s === 45, 'the server took them');
  await form.waitFor({ state: 'detached' });
  await page.locator('.test-result').waitFor({ state: 'detached' }); // the old result went with the edit
  const renamed = page.locator('tr', { hasText: 'shop_main' }).first();
  const tested = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/test'));
  await renamed.getByRole('button', { name: 'Test' }).click();
  const test = await (await tested).json();
  expect(test.name === 'shop_main' && test.reachable, `tested under the new name: ${JSON.stringify(test)}`);
  await page.locator('.test-result').getByText('reachable').waitFor();
  await page.getByRole('region', { name: 'Table browser' }).getByRole('heading', { name: 'Tables of shop_main' }).waitFor();
});

// Workspace members: a second user, added by email, given another role, removed; the API is asked
// what it holds after each change.
const SECOND = { email: 'e2e-second@example.com', password: 'second-password-1234', full_name: 'Second User' };

/** Signs in through the API (not the page) and returns a fetch of `/api/v1` paths as that user. */
async function apiAs(email, password) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status === 200, `login of ${email}: HTTP ${login.status}`);
  const { access_token: token } = await login.json();
  return (path, init = {}) =>
    fetch(`${BASE}/api/v1${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
}

/** The role pickers on the members page as [label, role], in the page's order. */
const shownRoles = () =>
  page.locator('select[aria-label^="Role of "]').evaluateAll((els) => els.map((e) => [e.getAttribute('aria-label').slice('Role of '.length), e.value]));
/** The API's members as [email or group name, role], in its order. */
const apiRoles = (members) => members.map((m) => [m.email ?? m.group_name, m.role]);

let asAdmin;
let asSecond;
let secondUser;
let workspaceId;
const secondRole = () => page.getByRole('combobox', { name: `Role of ${SECOND.email}` });

await step('an admin adds a second user to the workspace by email, as viewer', async () => {
  asAdmin = await apiAs(EMAIL, PASSWORD);
  const created = await asAdmin('/users', { method: 'POST', body: JSON.stringify(SECOND) });
  secondUser = await created.json();
  expect(created.status === 201, `POST /users: HTTP ${created.status} ${JSON.stringify(secondUser)}`);
  asSecond = await apiAs(SECOND.email, SECOND.password);

  await sections.getByRole('link', { name: 'Members' }).click();
  await page.waitForURL(/\/workspaces\/[0-9a-f-]{36}\/members$/);
  workspaceId = new URL(page.url()).pathname.split('/')[2];
  const own = await (await asAdmin(`/workspaces/${workspaceId}`)).json();
  await page.locator('table.members').waitFor();
  const shownOwn = await page.getByTestId('own-role').textContent();
  expect(shownOwn === own.role, `your role ${shownOwn} is the API's ${own.role}`);
  expect(JSON.stringify(await shownRoles()) === JSON.stringify(apiRoles(await (await asAdmin(`/workspaces/${workspaceId}/members`)).json())), 'the list is the API\'s');
  expect((await asSecond(`/workspaces/${workspaceId}`)).status === 404, 'not a member yet: the workspace is hidden');

  const form = page.getByRole('form', { name: 'Add a member' });
  const email = form.getByLabel('Email');
  // An address with no account is refused under the field, with the server's reason.
  await email.fill('nobody@example.com');
  await form.getByRole('button', { name: 'Add member' }).click();
  await page.waitForFunction(() => document.querySelector('input[aria-label="Email"]')?.getAttribute('aria-invalid') === 'true');
  const refusal = await page.locator(`[id="${await email.getAttribute('aria-describedby')}"]`).textContent();
  expect(refusal.includes('nobody@example.com') && refusal.includes('no user'), `the refusal names the address: ${refusal}`);

  await email.fill(SECOND.email);
  await form.getByLabel('Role', { exact: true }).selectOption('viewer');
  const { sent, answer } = await requestOf('PUT', /\/members$/, () => form.getByRole('button', { name: 'Add member' }).click());
  expect(JSON.stringify(sent) === JSON.stringify({ email: SECOND.email, role: 'viewer' }), `the body: ${JSON.stringify(sent)}`);
  expect(answer.user_id === secondUser.id && answer.role === 'viewer', `the server added them: ${JSON.stringify(answer)}`);
  await page.getByRole('status').filter({ hasText: SECOND.email }).waitFor();
  await page.waitForFunction((want) => document.querySelector(`select[aria-label="Role of ${want}"]`)?.value === 'viewer', SECOND.email);
  const row = page.locator('tr', { has: secondRole() });
  expect((await row.locator('td').nth(1).textContent()) === 'user', 'listed as a user');
  expect((await row.locator('strong').textContent()) === SECOND.full_name, 'by name');
  const mine = await (await asSecond(`/workspaces/${workspaceId}`)).json();
  expect(mine.role === 'viewer', `their own role, as the API tells them: ${mine.role}`);
});

await step('changes their role to editor in place; the API agrees', async () => {
  const { sent, answer } = await requestOf('PUT', /\/members$/, () => secondRole().selectOption('editor'));
  expect(JSON.stringify(sent) === JSON.stringify({ user_id: secondUser.id, role: 'editor' }), `the body: ${JSON.stringify(sent)}`);
  // The page reloads the list after the change (not awaited as a response: the reload may
  // start while the PUT's route is being removed); its settled state is compared with the API.
  await page.waitForFunction((want) => {
    const el = document.querySelector(`select[aria-label="Role of ${want}"]`);
    return el && !el.disabled && el.value === 'editor';
  }, SECOND.email);
  const api = await (await asAdmin(`/workspaces/${workspaceId}/members`)).json();
  const shown = await shownRoles();
  expect(JSON.stringify(shown) === JSON.stringify(apiRoles(api)), `the page ${JSON.stringify(shown)} shows the API's ${JSON.stringify(apiRoles(api))}`);
  const theirs = api.find((m) => m.user_id === secondUser.id);
  expect(theirs.id === answer.id && theirs.role === answer.role && theirs.role === 'editor', `the API holds the new role: ${JSON.stringify(theirs)}`);
  const mine = await (await asSecond(`/workspaces/${workspaceId}`)).json();
  expect(mine.role === theirs.role, `their own role is the one listed: ${mine.role}`);
});

await step('the last admin cannot leave; the second user is removed after a confirm', async () => {
  // The workspace's only admin member is the signed-in one: the server refuses, the row says why.
  const api = await (await asAdmin(`/workspaces/${workspaceId}/members`)).json();
  const admins = api.filter((m) => m.role === 'admin');
  expect(admins.length === 1 && admins[0].email === EMAIL, `one admin member: ${JSON.stringify(admins)}`);
  await page.getByRole('button', { name: `Remove ${EMAIL}` }).click();
  expect(dialogs.seen.at(-1)?.includes('Remove yourself'), `asked first: ${dialogs.seen.at(-1)}`);
  await page.locator('tr.member-error').filter({ hasText: 'last admin' }).waitFor();

  await page.getByRole('button', { name: `Remove ${SECOND.email}` }).click();
  expect(dialogs.seen.at(-1)?.includes(SECOND.email), `asked first: ${dialogs.seen.at(-1)}`);
  await secondRole().waitFor({ state: 'detached' });
  const after = await (await asAdmin(`/workspaces/${workspaceId}/members`)).json();
  expect(!after.some((m) => m.user_id === secondUser.id), 'the API no longer lists them');
  expect(JSON.stringify(await shownRoles()) === JSON.stringify(apiRoles(after)), 'the page lists what the API holds');
  expect((await asSecond(`/workspaces/${workspaceId}`)).status === 404, 'the workspace is hidden from them again');
});

await step('reopens the flow: the saved document and its version are there', async () => {
  await page.goto(flowUrl); // a deep link, served by the server's fallback to index.html
  await node('group_aggregate_1').waitFor();
  expect((await edges().count()) === 3, 'three edges after reload');
  await page.getByRole('button', { name: 'Versions (1)' }).waitFor();
  await page.getByText('● unsaved').waitFor({ state: 'detached' });
});

// Flow parameters: declared in the flow settings, used as @name, tried with test values.
const MIN_DEFAULT = 20;
const MIN_TEST = 40;
/** The rows of ROWS a filter `amount > min` keeps: what the preview must show. */
const keptBy = (min) => ROWS.filter((r) => r.amount !== null && r.amount > min);
const previewPanel = page.getByRole('region', { name: 'Preview' });
const parameter = (name) => inspector.getByRole('group', { name: `Parameter ${name}` });

/** Selects nothing, so the inspector shows the flow settings. */
async function flowSettings() {
  await page.locator('.react-flow__pane').click({ position: { x: 12, y: 12 } });
  await inspector.getByRole('heading', { name: 'Flow', exact: true }).waitFor();
}

/** The preview's `amount` cells once it shows `count` rows. */
async function previewAmounts(count) {
  await page.waitForFunction((n) => document.querySelectorAll('.preview-panel tbody tr').length === n, count);
  const headers = await previewPanel.locator('thead th').allTextContents();
  const column = headers.findIndex((h) => h.startsWith('amount'));
  expect(column > 0, `an amount column in ${headers}`);
  return previewPanel.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
}

await step('a condition naming an undeclared parameter is a problem on its node', async () => {
  await select('filter_rows_1');
  await inspector.getByLabel('Condition').fill('amount > @min_amount');
  await node('filter_rows_1').locator('.node-problems').filter({ hasText: 'unknown parameter' }).waitFor();
});

await step('declares an integer parameter with a default in the flow settings', async () => {
  await flowSettings();
  await inspector.getByRole('button', { name: 'Add parameter' }).click();
  const name = parameter('param1').getByLabel('Parameter name', { exact: true });
  await name.fill('min_amount');
  await name.press('Enter');
  const param = parameter('min_amount');
  await param.getByLabel('Type', { exact: true }).selectOption('integer');
  const defaultInput = param.getByLabel('Default', { exact: true });
  await defaultInput.fill('twenty');
  await param.locator('.field-error').filter({ hasText: "expected an integer, got 'twenty'" }).waitFor();
  await defaultInput.fill(String(MIN_DEFAULT));
  await param.locator('.field-error').waitFor({ state: 'detached' });
  await param.getByLabel('Description', { exact: true }).fill('Smallest amount kept');
  // Declared: the server's validator no longer complains about @min_amount.
  await node('filter_rows_1').locator('.node-problems').waitFor({ state: 'detached' });
});

await step('"Run to here" uses the default, then the test value', async () => {
  await select('filter_rows_1');
  await inspector.getByRole('button', { name: 'Run to here' }).click();
  const withDefault = keptBy(MIN_DEFAULT).map((r) => r.amount);
  let amounts = await previewAmounts(withDefault.length);
  expect(JSON.stringify(amounts.map(Number)) === JSON.stringify(withDefault), `default ${MIN_DEFAULT}: amounts ${amounts}`);

  await flowSettings();
  const test = parameter('min_amount').getByLabel('Test value', { exact: true });
  expect((await test.getAttribute('placeholder')) === String(MIN_DEFAULT), 'the test value shows the default');
  await test.fill(String(MIN_TEST));
  await select('filter_rows_1');
  await inspector.getByRole('button', { name: 'Run to here' }).click();
  const withTest = keptBy(MIN_TEST).map((r) => r.amount);
  expect(withTest.length !== withDefault.length, 'the test value selects other rows than the default');
  amounts = await previewAmounts(withTest.length);
  expect(JSON.stringify(amounts.map(Number)) === JSON.stringify(withTest), `test value ${MIN_TEST}: amounts ${amounts}`);
});

await step("a bad test value shows the parameter's error", async () => {
  await flowSettings();
  await parameter('min_amount').getByLabel('Test value', { exact: true }).fill('lots');
  await select('filter_rows_1');
  await inspector.getByRole('button', { name: 'Run to here' }).click();
  const refusal = "min_amount: expected an integer, got 'lots'";
  await previewPanel.getByRole('alert').filter({ hasText: refusal }).waitFor();
  await page.getByRole('button', { name: '▶ Run' }).click();
  await page.locator('.editor-message.error').filter({ hasText: `Not run: ${refusal}` }).waitFor();
  await flowSettings();
  const param = parameter('min_amount');
  await param.locator('.param-test-value .field-error').filter({ hasText: refusal }).waitFor();
  await param.getByRole('button', { name: 'Clear the test value of min_amount' }).click();
  await param.locator('.param-test-value .field-error').waitFor({ state: 'detached' });
});

const versionsPanel = page.getByRole('complementary', { name: 'Versions' });
const differences = versionsPanel.getByRole('region', { name: 'Differences' });

await step('saves a second version that differs in a config value and compares it with the first', async () => {
  await previewPanel.getByRole('button', { name: 'Close preview' }).click();
  await page.getByRole('button', { name: 'Fit View', exact: true }).click();
  await page.waitForTimeout(300); // the viewport animates
  await page.getByRole('button', { name: 'Save version…' }).click();
  await page.getByLabel('Comment').fill('minimum as a parameter');
  await page.getByRole('button', { name: 'Save version', exact: true }).click();
  await page.getByText('Saved as version 2.').waitFor();
  await page.getByRole('button', { name: 'Versions (2)' }).click();
  const form = versionsPanel.getByRole('form', { name: 'Compare versions' });
  await versionsPanel.getByText('minimum as a parameter').waitFor();
  expect((await form.getByLabel('Compare from').inputValue()) === '1', 'compares from v1');
  expect((await form.getByLabel('Compare to').inputValue()) === '2', 'to v2');
  await form.getByRole('button', { name: 'Compare', exact: true }).click();
  await differences.getByRole('heading', { name: 'v1 → v2' }).waitFor();
  const filter = differences.locator('[data-node-id="filter_rows_1"]');
  await filter.waitFor();
  expect((await filter.locator('.diff-field').first().textContent()) === 'condition', 'the changed config key is named');
  expect((await filter.locator('del').first().textContent()) === '"amount > 20"', 'with its value in v1');
  expect((await filter.locator('ins').first().textContent()) === '"amount > @min_amount"', 'and in v2');
  await differences.getByRole('region', { name: 'Parameters' }).getByText('@min_amount').waitFor();
  await shoot('versions-diff');
});

await step('compares a version with the current document', async () => {
  await versionsPanel.getByRole('button', { name: 'Close versions' }).click();
  await select('display_results_1');
  await inspector.getByLabel('Name', { exact: true }).fill('orders_total');
  await page.keyboard.press('Control+s');
  await page.getByText('● unsaved').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Versions (2)' }).click();
  await versionsPanel.getByRole('button', { name: 'Compare v2 with the current document' }).click();
  await differences.getByRole('heading', { name: 'v2 → current document' }).waitFor();
  const display = differences.locator('[data-node-id="display_results_1"]');
  await display.waitFor();
  const text = (await display.textContent()).replace(/\s+/g, ' ');
  expect(text.includes('name: (not set) → "orders_total"'), `the new name, before and after: ${text}`);
  expect((await differences.locator('[data-node-id]').count()) === 1, 'only that node changed');
  // An unsaved edit is part of the current document: the comparison follows it.
  await select('display_results_1');
  await inspector.getByLabel('Name', { exact: true }).fill('orders_sum');
  await differences.getByText('Includes your unsaved edits.').waitFor();
  await display.locator('ins').filter({ hasText: '"orders_sum"' }).waitFor();
  // Undo goes back to what was saved, not past it (the edit before the save was in this field).
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await page.getByText('● unsaved').waitFor({ state: 'detached' });
  expect((await inspector.getByLabel('Name', { exact: true }).inputValue()) === 'orders_total', 'undo stops at the save');
  await display.locator('ins').filter({ hasText: '"orders_total"' }).waitFor();
  await versionsPanel.getByRole('button', { name: '← All versions' }).click();
  await versionsPanel.getByRole('button', { name: 'Compare v2 with the current document' }).waitFor();
  await versionsPanel.getByRole('button', { name: 'Close versions' }).click();
});

await step('renaming a parameter renames its uses, in one undo step', async () => {
  await flowSettings();
  const name = parameter('min_amount').getByLabel('Parameter name', { exact: true });
  await name.fill('floor');
  await name.press('Enter');
  await parameter('floor').getByRole('status').filter({ hasText: 'in 1 place: filter_rows_1.condition' }).waitFor();
  await select('filter_rows_1');
  expect((await inspector.getByLabel('Condition').inputValue()) === 'amount > @floor', 'the condition reads @floor');
  await inspector.getByRole('button', { name: 'Run to here' }).click();
  const kept = keptBy(MIN_DEFAULT).map((r) => r.amount);
  const amounts = await previewAmounts(kept.length);
  expect(JSON.stringify(amounts.map(Number)) === JSON.stringify(kept), `renamed: amounts ${amounts}`);
  await previewPanel.getByRole('button', { name: 'Close preview' }).click();
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await page.getByText('● unsaved').waitFor({ state: 'detached' });
  await parameter('min_amount').waitFor(); // undo restored the selection of then: none
  await select('filter_rows_1');
  expect((await inspector.getByLabel('Condition').inputValue()) === 'amount > @min_amount', 'undo: @min_amount again');
});

await step('the flow list searches', async () => {
  await sections.getByRole('link', { name: 'Flows' }).click();
  await page.getByRole('link', { name: 'orders-e2e' }).waitFor();
  await shoot('flows');
  await page.getByLabel('Search flows').fill('region');
  await page.getByRole('link', { name: 'orders-e2e' }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'orders-by-region' }).waitFor();
});

await context.close();
rmSync(profile, { recursive: true, force: true });
const unexpected = browserErrors.filter((e) => !/status of 4\d\d/.test(e));
if (unexpected.length) {
  console.error(`FAIL the browser reported errors:\n  ${unexpected.join('\n  ')}`);
  process.exit(1);
}
console.log(`${passed} passed, 0 failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
