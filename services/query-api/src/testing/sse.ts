/** Test support (not exported): reads the first `n` SSE events of a stream (or up to the first that `until` holds for), then closes it. */
export interface RawEvent {
  event: string;
  data: string;
  id: string | null;
}

export async function readEvents(url: string, headers: Record<string, string>, n: number, timeoutMs = 5000, until?: (e: RawEvent) => boolean): Promise<RawEvent[]> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const res = await fetch(url, { headers, signal: ctl.signal });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const out: RawEvent[] = [];
  let buf = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: RawEvent = { event: 'message', data: '', id: null };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) (ev.data = line.slice(6)), (hasData = true);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
        }
        if (hasData) out.push(ev);
        if (out.length >= n || (hasData && until?.(ev))) return out;
      }
    }
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return out;
}
