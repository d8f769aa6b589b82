// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { timeline } from './run-timeline';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();

describe('timeline', () => {
  it('places nodes in start order across the run span', () => {
    const rows = timeline({
      nodes: [
        { node_id: 'b', started_at: at(500), finished_at: at(1000) },
        { node_id: 'a', started_at: at(0), finished_at: at(500) },
        { node_id: 'skipped', started_at: null, finished_at: null },
      ],
    });
    expect(rows.map((r) => [r.node.node_id, r.left, r.width])).toEqual([
      ['a', 0, 50],
      ['b', 50, 50],
      ['skipped', 0, null],
    ]);
  });

  it('gives a running node a bar to the latest time known, and an instant run full width', () => {
    const running = timeline({ nodes: [{ node_id: 'a', started_at: at(0), finished_at: at(100) }, { node_id: 'b', started_at: at(50), finished_at: null }] });
    expect(running[1]).toMatchObject({ left: 50, width: 50 });
    expect(timeline({ nodes: [{ node_id: 'a', started_at: at(0), finished_at: at(0) }] })[0]).toMatchObject({ left: 0, width: 100 });
  });
});
