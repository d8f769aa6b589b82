import { render, renderHook, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { catalog, exampleDocument } from '../test/fixtures';
import { Designer } from './Designer';
import { useUnsavedChangesGuard } from './useUnsavedChangesGuard';

describe('Designer', () => {
  it('adds a node from the palette and guards unsaved changes', async () => {
    const user = userEvent.setup();
    const { container } = render(<Designer catalog={catalog} document={exampleDocument()} />);
    expect(screen.queryByText('● unsaved')).toBeNull();
    await user.click(screen.getByRole('button', { name: /Sort data/ }));
    expect(container.querySelector('[data-node-id="sort_data_1"]')).toBeTruthy();
    expect(screen.getByText('● unsaved')).toBeTruthy();
    // The new node is selected: its form is open.
    expect(screen.getByRole('heading', { name: 'Sort data' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Undo' }));
    expect(container.querySelector('[data-node-id="sort_data_1"]')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Redo' }));
    expect(container.querySelector('[data-node-id="sort_data_1"]')).toBeTruthy();
  });

  it('puts problems on the nodes as the flow changes', async () => {
    const user = userEvent.setup();
    const { container } = render(<Designer catalog={catalog} document={exampleDocument()} />);
    expect(screen.getByRole('button', { name: 'Check' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /Join \/ merge/ }));
    expect(screen.getByRole('button', { name: 'Check (2)' })).toBeTruthy();
    const node = container.querySelector('[data-node-id="join_merge_1"]')!;
    expect(node.textContent).toContain("input port 'left' is not connected");
  });
});

describe('useUnsavedChangesGuard', () => {
  it('asks before unload only while dirty', () => {
    const { rerender } = renderHook(({ dirty }) => useUnsavedChangesGuard(dirty), { initialProps: { dirty: false } });
    const clean = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(clean);
    expect(clean.defaultPrevented).toBe(false);
    rerender({ dirty: true });
    const dirty = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(dirty);
    expect(dirty.defaultPrevented).toBe(true);
  });
});
