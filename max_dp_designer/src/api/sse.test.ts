// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createSseParser, readSse } from './sse';

describe('createSseParser', () => {
  it('parses messages split anywhere across chunks', () => {
    const feed = createSseParser();
    const text = 'id: 1\nevent: run_started\ndata: {"seq": 1}\n\nid: 2\nevent: node_started\ndata: {"seq": 2}\n\n';
    const out = [];
    for (const ch of text) out.push(...feed(ch));
    expect(out).toEqual([
      { id: '1', event: 'run_started', data: '{"seq": 1}' },
      { id: '2', event: 'node_started', data: '{"seq": 2}' },
    ]);
  });

  it('skips comments (keep-alives), joins multi-line data, accepts CRLF', () => {
    const feed = createSseParser();
    expect(feed(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\n')).toEqual([{ id: undefined, event: 'message', data: 'a\nb' }]);
  });

  it('keeps an incomplete message until its blank line arrives', () => {
    const feed = createSseParser();
    expect(feed('event: x\ndata: 1\n')).toEqual([]);
    expect(feed('\n')).toEqual([{ id: undefined, event: 'x', data: '1' }]);
  });
});

describe('readSse', () => {
  it('reads a streamed response to its end', async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream({
      start(c) {
        c.enqueue(encoder.encode('data: {"kind": "run_st'));
        c.enqueue(encoder.encode('arted"}\n\ndata: {"kind": "run_finished"}\n\n'));
        c.close();
      },
    });
    const kinds: string[] = [];
    await readSse(new Response(body), (m) => kinds.push(JSON.parse(m.data).kind));
    expect(kinds).toEqual(['run_started', 'run_finished']);
  });

  it('stops quietly when aborted', async () => {
    const body = new ReadableStream({ start() {} }); // never ends
    const ctrl = new AbortController();
    const done = readSse(new Response(body), () => undefined, ctrl.signal);
    ctrl.abort();
    await expect(done).resolves.toBeUndefined();
  });
});
