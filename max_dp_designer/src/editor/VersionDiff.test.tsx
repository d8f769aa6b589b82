import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors';
import type { FlowDocument } from '../lib/flow-document';
import { createFlowStore, FlowStoreProvider } from '../store';
import { catalog, exampleDocument } from '../test/fixtures';
import fixture from '../test/fixtures/flow-diff.json';
import { createEditorStore, type EditorServices } from './editor-store';
import { EditorProvider } from './EditorProvider';
import { normalizeDiff, readableDiff } from './version-diff';
import { DiffView, type LoadDiff, type LoadedDiff } from './VersionDiff';
import { VersionsPanel } from './VersionsPanel';

// The server's answer for fixture.from -> fixture.to (tests/e2e/test_designer_fixtures.py).
const before = fixture.from as unknown as FlowDocument;
const after = fixture.to as unknown as FlowDocument;
const loaded: LoadedDiff = { answer: normalizeDiff(fixture.answer), before, after };

const textOf = (el: HTMLElement) => el.textContent?.replace(/\s+/g, ' ').trim();

describe('DiffView', () => {
  it('shows nodes, edges, parameters and document fields as added, removed or changed', () => {
    render(<DiffView diff={readableDiff(loaded.answer, before, after)} />);
    const doc = within(screen.getByRole('region', { name: 'Document' }));
    expect(doc.getAllByRole('listitem').map(textOf)).toEqual([
      'description: "Orders per region" → "Orders per region, above a minimum"',
      'timeout_s: (not set) → 60',
    ]);

    const nodes = screen.getByRole('region', { name: 'Nodes' });
    const items = [...nodes.querySelectorAll(':scope > ul > li')].map((li) => textOf(li as HTMLElement));
    expect(items[0]).toBe('+ added out display_results');
    expect(items[1]).toBe('− removed old_out display_results');
    expect(items[2]).toBe(
      '~ changed kr “Big orders” filter_rows' + 'condition: "amount > 20" → "amount > @min_amount"' + 'label: (not set) → "Big orders"',
    );
    expect(items[3]).toContain('type: "sort_data" → "select_columns"');
    // Moves are summarised, not listed node by node.
    expect(items[4]).toBe('3 nodes moved on the canvas');
    expect(items).toHaveLength(5);
    const kr = nodes.querySelector('[data-node-id="kr"]')!;
    expect(kr.querySelector('del')!.textContent).toBe('"amount > 20"');
    expect(kr.querySelector('ins')!.textContent).toBe('"amount > @min_amount"');

    const edges = within(screen.getByRole('region', { name: 'Edges' }));
    expect(edges.getAllByRole('listitem').map(textOf)).toEqual(['+ added sorted → out', '− removed sorted → old_out']);
    const params = screen.getByRole('region', { name: 'Parameters' });
    expect([...params.querySelectorAll(':scope > ul > li')].map((li) => textOf(li as HTMLElement))).toEqual([
      '+ added @min_amount',
      '− removed @limit',
      '~ changed @regiondefault: "KR" → "US"',
    ]);
  });

  it('says "No differences" when there are none', () => {
    render(<DiffView diff={readableDiff(normalizeDiff(fixture.empty), after, after)} />);
    expect(screen.getByText('No differences')).toBeTruthy();
    expect(screen.queryByRole('region')).toBeNull();
  });
});

function setup(load: LoadDiff, dirty = false) {
  const flowStore = createFlowStore({ catalog, document: exampleDocument() });
  if (dirty) flowStore.getState().actions.updateConfig('kr', { condition: 'true' });
  const flow = { id: 'f1', workspace_id: 'w1', name: 'orders', latest_version: 2, updated_at: 'now' };
  const versions = [
    { version: 2, comment: 'second', created_at: '2026-01-02T00:00:00Z' },
    { version: 1, comment: 'first', created_at: '2026-01-01T00:00:00Z' },
  ];
  const services: EditorServices = {
    saveFlow: vi.fn(async () => flow),
    saveVersion: vi.fn(async () => ({ version: 3, comment: '', created_at: 'now' })),
    listVersions: vi.fn(async () => ({ items: versions })),
    restoreVersion: vi.fn(async () => ({ ...flow, document: exampleDocument() })),
    preview: vi.fn(async () => ({ node_id: 'kr', status: 'succeeded', duration_ms: 1, nodes: {} })),
    startRun: vi.fn(async () => 'run-1'),
    streamRunEvents: vi.fn(async () => undefined),
    getRun: vi.fn(async () => ({ status: 'succeeded' })),
    cancelRun: vi.fn(async () => undefined),
  };
  const editor = createEditorStore(flow, flowStore, services);
  render(
    <EditorProvider store={editor}>
      <FlowStoreProvider store={flowStore}>
        <VersionsPanel loadDiff={load} />
      </FlowStoreProvider>
    </EditorProvider>,
  );
  return { editor, flowStore, user: userEvent.setup() };
}

/** Opens the drawer and waits for the version list. */
async function openVersions(editor: ReturnType<typeof setup>['editor']) {
  await act(async () => {
    editor.getState().actions.toggleVersions(true);
    await Promise.resolve();
  });
  await screen.findByText('first');
}

describe('VersionsPanel compare', () => {
  it('compares a version with the current document', async () => {
    const load = vi.fn<LoadDiff>(async () => loaded);
    const { editor, user } = setup(load, true);
    await openVersions(editor);
    await user.click(screen.getByRole('button', { name: 'Compare v1 with the current document' }));
    expect(load).toHaveBeenCalledWith(1, null);
    const diff = screen.getByRole('region', { name: 'Differences' });
    expect(within(diff).getByRole('heading', { name: 'v1 → current document' })).toBeTruthy();
    expect(within(diff).getByText('Includes your unsaved edits.')).toBeTruthy();
    await within(diff).findByText('"amount > @min_amount"');
    await user.click(screen.getByRole('button', { name: '← All versions' }));
    expect(screen.queryByRole('region', { name: 'Differences' })).toBeNull();
    expect(screen.getByText('first')).toBeTruthy();
  });

  it('compares again with the current document after an edit, keeping the last comparison meanwhile', async () => {
    const load = vi.fn<LoadDiff>(async () => loaded);
    const { editor, flowStore, user } = setup(load, true);
    await openVersions(editor);
    await user.click(screen.getByRole('button', { name: 'Compare v1 with the current document' }));
    const diff = screen.getByRole('region', { name: 'Differences' });
    await within(diff).findByText('"amount > @min_amount"');
    load.mockImplementation(async () => ({ ...loaded, answer: normalizeDiff(fixture.empty) }));
    act(() => flowStore.getState().actions.updateConfig('kr', { condition: 'false' }));
    expect(within(diff).getByText('"amount > @min_amount"')).toBeTruthy(); // until the new answer
    expect(await within(diff).findByText('No differences')).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(2);
    expect(load).toHaveBeenLastCalledWith(1, null);
  });

  it('compares two versions', async () => {
    const load = vi.fn<LoadDiff>(async () => ({ ...loaded, answer: normalizeDiff(fixture.empty) }));
    const { editor, user } = setup(load);
    await openVersions(editor);
    const form = within(screen.getByRole('form', { name: 'Compare versions' }));
    expect((form.getByLabelText('Compare from') as HTMLSelectElement).value).toBe('1');
    expect((form.getByLabelText('Compare to') as HTMLSelectElement).value).toBe('2');
    await user.selectOptions(form.getByLabelText('Compare to'), 'current');
    await user.selectOptions(form.getByLabelText('Compare to'), '2');
    await user.click(form.getByRole('button', { name: 'Compare' }));
    expect(load).toHaveBeenCalledWith(1, 2);
    expect(await screen.findByText('No differences')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'v1 → v2' })).toBeTruthy();
    expect(screen.queryByText(/unsaved edits/)).toBeNull();
  });

  it("shows the server's refusal", async () => {
    const load = vi.fn<LoadDiff>(async () => {
      throw new ApiError(404, 'not_found', "flow 'orders' has no version 9 (versions: 1..2)");
    });
    const { editor, user } = setup(load);
    await openVersions(editor);
    await user.click(screen.getByRole('button', { name: 'Compare v2 with the current document' }));
    expect((await screen.findByRole('alert')).textContent).toBe("flow 'orders' has no version 9 (versions: 1..2)");
  });
});
