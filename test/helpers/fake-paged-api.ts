// A fake provider API that lists records page by page: a real HTTP server on 127.0.0.1 (no mocked
// fetch). It serves the same records three ways: GET /contacts?page=N (page numbers),
// GET /contacts-cursor?cursor=C (next_cursor in the body) and GET /contacts-link?page=N (a Link
// header with rel="next"). Records can be removed between syncs, a page can fail once with 500,
// and a page can be held back (to kill a sync mid-way).
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface PagedRecord {
  id: string;
  email: string;
  name: string;
}

export interface FakePagedApi {
  url: string;
  records: PagedRecord[];
  /** Every request's path and query, in order. */
  requests: string[];
  /** The next request for this page number (1-based, any style) answers 500, once. */
  failOnce(page: number): void;
  /** Requests for this page number wait until release() (or forever). */
  hold(page: number): void;
  release(): void;
  close(): Promise<void>;
}

export const makeRecords = (n: number): PagedRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `c${i + 1}`,
    email: ` User${i + 1}@Example.com `,
    name: `User ${i + 1}`,
  }));

export async function startFakePagedApi(records: PagedRecord[], pageSize = 2): Promise<FakePagedApi> {
  const sockets = new Set<Socket>();
  const failing = new Set<number>();
  let held: number | null = null;
  const waiting: Array<() => void> = [];
  const api: FakePagedApi = {
    url: "",
    records,
    requests: [],
    failOnce: (page) => void failing.add(page),
    hold: (page) => void (held = page),
    release: () => {
      held = null;
      waiting.splice(0).forEach((w) => w());
    },
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    api.requests.push(url.pathname + url.search);
    const cursorStyle = url.pathname === "/contacts-cursor";
    const page = cursorStyle
      ? Number(url.searchParams.get("cursor") ?? "1")
      : Number(url.searchParams.get("page") ?? "1");
    const answer = () => {
      if (failing.delete(page)) {
        res.writeHead(500, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: "temporarily broken" }));
      }
      const slice = api.records.slice((page - 1) * pageSize, page * pageSize);
      const more = page * pageSize < api.records.length;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (url.pathname === "/contacts-link" && more)
        headers.link = `<${api.url}/contacts-link?page=${page + 1}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(JSON.stringify({ data: slice, ...(cursorStyle ? { next_cursor: more ? String(page + 1) : null } : {}) }));
    };
    if (held === page) waiting.push(answer);
    else answer();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return api;
}
