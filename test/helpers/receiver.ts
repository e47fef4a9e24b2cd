// Webhook receivers for tests: real HTTP servers on 127.0.0.1 that check every request's
// Standard Webhooks signature with the `standardwebhooks` package, and answer as told (fail,
// answer slowly, 410, Retry-After...). No mocked fetch: the worker's real client talks to them.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  timestamp: number;
  body: string;
  headers: IncomingHttpHeaders;
  /** Every signature check passed: the HMAC by the package and, with strict, its timestamp tolerance too. */
  valid: boolean;
  /** 1 for the first request carrying this webhook-id, 2 for the next... */
  nth: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
  body?: string;
}

export interface ReceiverOptions {
  /** The answer to a request; defaults to 200. */
  respond?: (r: Received) => Answer;
  /** Also run Webhook.verify, which checks the timestamp against the real clock (e2e, not pinned-clock tests). */
  strict?: boolean;
}

export interface Receiver {
  url: string;
  /** The endpoint's signing secrets; set once the endpoint exists. */
  secrets: string[];
  received: Received[];
  /** Requests per webhook-id. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const receiver: Receiver = { url: "", secrets: [], received: [], counts: new Map(), close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const id = String(req.headers["webhook-id"] ?? "");
      const nth = (receiver.counts.get(id) ?? 0) + 1;
      receiver.counts.set(id, nth);
      const r: Received = {
        id,
        timestamp: Number(req.headers["webhook-timestamp"]),
        body,
        headers: req.headers,
        valid: verify(receiver.secrets, req.headers, body, options.strict ?? false),
        nth,
      };
      receiver.received.push(r);
      const answer = options.respond?.(r) ?? { status: 200 };
      const send = () => {
        res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
        res.end(answer.body ?? "ok");
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

function verify(secrets: string[], headers: IncomingHttpHeaders, body: string, strict: boolean): boolean {
  const id = String(headers["webhook-id"]);
  const ts = Number(headers["webhook-timestamp"]);
  const got = String(headers["webhook-signature"] ?? "").split(" ");
  if (secrets.length === 0 || headers["content-type"] !== "application/json") return false;
  // Every current secret must have signed it (both during a rotation grace), by the package's own HMAC.
  return secrets.every((secret) => {
    const wh = new Webhook(secret);
    if (!got.includes(wh.sign(id, new Date(ts * 1000), body))) return false;
    if (!strict) return true;
    try {
      wh.verify(body, { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": got.join(" ") });
      return true;
    } catch {
      return false;
    }
  });
}
