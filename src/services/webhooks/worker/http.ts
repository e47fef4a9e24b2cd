import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { Agent, buildConnector } from "undici";
import { checkAddress } from "../../../lib/url-guard.js";

// The worker's HTTP client: undici over keep-alive connections (the global fetch is ~7x slower
// here, DESIGN §7). The address guard runs at connect time on the address actually dialled, so a
// DNS answer that changed since the endpoint was created cannot reach inside (DESIGN §6). Redirects
// are never followed: undici's request() does not, and a 3xx is recorded as a failure.

export const MAX_RESPONSE_BODY = 20 * 1024;
const ATTEMPT_TIMEOUT = "INTG_ATTEMPT_TIMEOUT";

export interface PostResult {
  statusCode: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  error: string | null;
  timedOut: boolean;
  durationMs: number;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, options as { all: true }, (error, addresses, family?: number) => {
      if (error) return callback(error, "");
      const list = Array.isArray(addresses) ? addresses.map((a) => a.address) : [addresses as unknown as string];
      try {
        for (const address of list) checkAddress(address, hostname, allowPrivate);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, "");
      }
      callback(null, addresses as LookupAddress[], family);
    });
  };
}

/** One keep-alive agent per address policy: endpoints that may reach private networks, and the rest. */
export class HttpClient {
  readonly #agents = new Map<boolean, Agent>();

  agent(allowPrivate: boolean): Agent {
    let agent = this.#agents.get(allowPrivate);
    if (!agent) {
      const base = buildConnector({ lookup: guardedLookup(allowPrivate) } as buildConnector.BuildOptions);
      // An IP literal is dialled without a lookup: check it here.
      const connect: buildConnector.connector = (opts, callback) => {
        const host = opts.hostname.replace(/^\[|\]$/g, "");
        if (isIP(host)) {
          try {
            checkAddress(host, host, allowPrivate);
          } catch (refused) {
            callback(refused as Error, null);
            return;
          }
        }
        base(opts, callback);
      };
      agent = new Agent({ connect, keepAliveTimeout: 30_000 });
      this.#agents.set(allowPrivate, agent);
    }
    return agent;
  }

  async post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<PostResult> {
    const started = performance.now();
    const done = (r: Omit<PostResult, "durationMs">): PostResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
    try {
      // undici's own timers (no AbortSignal per request: measurably cheaper at thousands per second)
      // give the receiver timeoutMs to answer; the body then has what is left of timeoutMs, so a
      // receiver trickling bytes cannot hold an attempt open past it.
      const res = await this.agent(allowPrivate).request({ origin: url.origin, path: url.pathname + url.search, method: "POST", headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const deadline = setTimeout(() => res.body.destroy(Object.assign(new Error("attempt deadline"), { code: ATTEMPT_TIMEOUT })), Math.max(0, timeoutMs - (performance.now() - started)));
      try {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
        // A short body of announced length is read whole (the common "ok"): an async iterator per
        // response costs more than the read itself at thousands per second.
        const length = Number(out["content-length"] ?? NaN);
        const text = length <= MAX_RESPONSE_BODY ? await res.body.text() : await firstBytes(res.body);
        return done({ statusCode: res.statusCode, headers: out, body: text, error: null, timedOut: false });
      } finally {
        clearTimeout(deadline);
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      const timedOut = code === ATTEMPT_TIMEOUT || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT";
      const message = timedOut ? `timed out after ${timeoutMs} ms` : describe(error);
      return done({ statusCode: null, headers: null, body: null, error: message, timedOut });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
  }
}

/** The first 20 KB of a body, reading the rest to the end so the connection is reused. */
function firstBytes(body: NodeJS.ReadableStream): Promise<string> {
  // Events rather than for-await: same bytes, without an async iterator per response.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      if (size < MAX_RESPONSE_BODY) chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY - size));
      size += chunk.length;
    });
    body.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    body.on("error", reject);
  });
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
