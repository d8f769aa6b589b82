// Server-sent events over fetch(): EventSource cannot send an Authorization header.

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** An incremental text/event-stream parser: feed it chunks, it returns the complete messages. */
export function createSseParser() {
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  return function feed(chunk: string): SseMessage[] {
    buffer += chunk;
    const out: SseMessage[] = [];
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) out.push({ id, event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id') id = value;
    }
    return out;
  };
}

/** Reads an event stream until it ends or `signal` aborts; calls onMessage for each message. */
export async function readSse(response: Response, onMessage: (m: SseMessage) => void, signal?: AbortSignal): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const feed = createSseParser();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const m of feed(decoder.decode(value, { stream: true }))) onMessage(m);
    }
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
