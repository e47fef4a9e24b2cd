import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { UsageError } from "../../errors.js";
import { parseSignatureHeaders, WEBHOOK_REQUEST_HEADERS } from "../../lib/webhook-signature-headers.js";
import { verifyRequest } from "../../lib/webhook-verify.js";
import type { WebhookListenEvent } from "../../types/integration/webhook.types.js";

// `webhooks listen`: a receiver on 127.0.0.1 for developing against webhooks locally. It verifies
// each request (when given secrets), reports it, and forwards the exact bytes to the app under
// development, so the app sees what the sender sent (its own verification must pass too).

export interface ListenOptions {
  port: number;
  /** null: accept every request unverified. */
  secrets: readonly string[] | null;
  toleranceMs: number;
  forwardTo: URL | null;
  now(): Date;
  signal: AbortSignal;
  onListening(url: string): void;
  onEvent(event: WebhookListenEvent): void;
}

const MAX_BODY = 8 * 1024 * 1024;
const FORWARD_TIMEOUT_MS = 30_000;

export async function listen(options: ListenOptions): Promise<{ events: number }> {
  const agent = new Agent({
    keepAliveTimeout: 1000,
    headersTimeout: FORWARD_TIMEOUT_MS,
    bodyTimeout: FORWARD_TIMEOUT_MS,
  });
  const pending = new Set<Promise<unknown>>();
  let events = 0;
  const server = createServer((req, res) => {
    const done = handle(req, res, options, agent)
      .then((event) => {
        if (!event) return;
        events++;
        options.onEvent(event);
      })
      .catch(() => void res.destroy())
      .finally(() => pending.delete(done));
    pending.add(done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new UsageError(
              `Port ${options.port} is in use.`,
              "Pick another with --port, or --port 0 for any free port.",
              "PORT_IN_USE",
            )
          : error,
      ),
    );
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  options.onListening(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  if (!options.signal.aborted)
    await new Promise((resolve) => options.signal.addEventListener("abort", resolve, { once: true }));
  // Stop accepting, let the requests in flight finish (their forward is bounded), then close.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  await Promise.allSettled([...pending]);
  server.closeAllConnections();
  await closed;
  await agent.close();
  return { events };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: ListenOptions,
  agent: Agent,
): Promise<WebhookListenEvent | null> {
  const receivedAt = options.now().toISOString();
  const body = await readBody(req);
  if (!body) {
    res.writeHead(413).end();
    return null;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const parsed = parseSignatureHeaders(headers);
  const event: WebhookListenEvent = {
    receivedAt,
    method: req.method ?? "POST",
    path: req.url ?? "/",
    id: parsed.ok ? parsed.signed.messageId : null,
    type: null,
    timestamp: parsed.ok ? new Date(parsed.signed.timestamp * 1000).toISOString() : null,
    valid: null,
    cause: null,
    explanation: null,
    status: 200,
    forward: null,
  };
  const envelope = parseEnvelope(body);
  event.type = envelope.type;
  event.id ??= envelope.id;
  if (options.secrets) {
    const result = verifyRequest(
      { headers, body },
      { secrets: options.secrets, now: options.now(), toleranceMs: options.toleranceMs, explain: true },
    );
    event.valid = result.valid;
    if (!result.valid) [event.cause, event.explanation, event.status] = [result.failure, result.explanation, 401];
  }
  // A request that failed verification would fail in the app too: the sender gets the 401 instead.
  // A forwarded one gets the app's own status, or 502 when the app cannot be reached (as `stripe
  // listen` does), so the sender retries what the app did not take.
  if (options.forwardTo && event.valid !== false) {
    event.forward = await forward(options.forwardTo, event.method, headers, body, agent);
    event.status = event.forward.status ?? 502;
  }
  res.writeHead(event.status, { "content-type": "application/json" });
  res.end(JSON.stringify(event.valid === false ? { error: event.cause } : { received: true }));
  return event;
}

async function forward(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  agent: Agent,
): Promise<NonNullable<WebhookListenEvent["forward"]>> {
  const started = performance.now();
  const sent = Object.fromEntries(Object.entries(headers).filter(([name]) => WEBHOOK_REQUEST_HEADERS.test(name)));
  try {
    const answer = await request(url, {
      method: method as "POST",
      headers: sent,
      body,
      dispatcher: agent,
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await answer.body.dump();
    return {
      url: url.href,
      status: answer.statusCode,
      error: null,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return {
      url: url.href,
      status: null,
      error: e.code ?? e.message,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    if ((size += (chunk as Buffer).length) > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The event's type and id from a JSON envelope ({"type": …} in both schemes); nulls otherwise. */
function parseEnvelope(body: Buffer): { type: string | null; id: string | null } {
  try {
    const o = JSON.parse(body.toString("utf8")) as { type?: unknown; id?: unknown };
    return { type: typeof o.type === "string" ? o.type : null, id: typeof o.id === "string" ? o.id : null };
  } catch {
    return { type: null, id: null };
  }
}
