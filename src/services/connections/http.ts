import { request } from "undici";
import { HttpClient } from "../webhooks/worker/http.js";

// Outbound HTTP for connections: undici over keep-alive pools, through the same guarded agents as
// the webhook worker (the private-address check runs on the address actually dialled, DESIGN §6).
// Redirects are never followed. One deadline covers connect, headers and body, so a provider that
// accepts the connection and then hangs is cut off at the timeout.

export const MAX_BODY = 1024 * 1024;

export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface HttpResult {
  statusCode: number | null;
  headers: Record<string, string>;
  body: string;
  errorKind: "timeout" | "network" | null;
  error: string | null;
  latencyMs: number;
  responseBytes: number;
}

export class ConnectionHttp {
  readonly #client = new HttpClient();

  /** `stop` (Ctrl-C) aborts whatever is in flight. */
  constructor(private readonly stop?: AbortSignal) {}

  async send(req: HttpRequest): Promise<HttpResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const deadline = AbortSignal.timeout(req.timeoutMs);
    const signal = this.stop ? AbortSignal.any([deadline, this.stop]) : deadline;
    try {
      await this.#client.preload();
      const res = await request(req.url, {
        dispatcher: this.#client.agent(req.allowPrivate),
        method: req.method as "GET",
        headers: req.headers,
        body: req.body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        if (size < MAX_BODY) chunks.push((chunk as Buffer).subarray(0, MAX_BODY - size));
        size += (chunk as Buffer).length;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      return {
        statusCode: res.statusCode,
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        errorKind: null,
        error: null,
        latencyMs: latency(),
        responseBytes: size,
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      const timedOut =
        deadline.aborted ||
        code === "UND_ERR_HEADERS_TIMEOUT" ||
        code === "UND_ERR_BODY_TIMEOUT" ||
        code === "UND_ERR_CONNECT_TIMEOUT";
      const message = timedOut ? `no answer within ${req.timeoutMs} ms` : describe(error);
      return {
        statusCode: null,
        headers: {},
        body: "",
        errorKind: timedOut ? "timeout" : "network",
        error: message,
        latencyMs: latency(),
        responseBytes: 0,
      };
    }
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause?.message && e.cause.message !== e.message ? `: ${e.cause.message}` : "";
  const code = e.code ?? e.cause?.code;
  const message = (e.message ?? String(error)) + inner;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
