import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import type { Agent, buildConnector as BuildConnector, Dispatcher } from "undici";
import { checkAddress } from "../../../lib/url-guard.js";
import { headerRecord } from "./response-headers.js";

// undici loads on first use, not with the module: the commands that import this one (the worker,
// replay, health checks) have work to start before they send anything (the worker's first claim).
// The build bundles it into a chunk of its own with a code cache: ~2x faster to load than the package.
let undici: { Agent: typeof Agent; buildConnector: typeof BuildConnector } | undefined;
let loading: Promise<void> | undefined;
const loadUndici = () =>
  (loading ??= import("undici").then((m) => {
    // A CommonJS package: its exports object is the default export, under Node's loader and in
    // the build (whose chunk for this import exports nothing else).
    const { Agent, buildConnector } = m.default;
    undici = { Agent, buildConnector };
  }));

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
  // One sweep over the attempts in flight every DEADLINE_SWEEP_MS enforces their deadlines: a timer
  // per attempt, set and cleared thousands of times a second, was ~2% of the worker's main thread
  // in profiles. A deadline is enforced at most one sweep late.
  readonly #inFlight = new Set<Exchange>();
  #sweeper: NodeJS.Timeout | undefined;

  /** Loads undici now, so the first request does not wait for it; agent() needs it loaded. */
  preload(): Promise<void> {
    return loadUndici();
  }

  agent(allowPrivate: boolean): Agent {
    let agent = this.#agents.get(allowPrivate);
    if (!agent) {
      if (!undici) throw new Error("undici is not loaded yet: await preload() first");
      const { Agent: UndiciAgent, buildConnector } = undici;
      const base = buildConnector({ lookup: guardedLookup(allowPrivate) } as BuildConnector.BuildOptions);
      // An IP literal is dialled without a lookup: check it here.
      const connect: BuildConnector.connector = (opts, callback) => {
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
      agent = new UndiciAgent({ connect, keepAliveTimeout: 30_000 }) as Agent;
      this.#agents.set(allowPrivate, agent);
    }
    return agent;
  }

  /**
   * One POST through undici's dispatch API with a handler of our own: request()'s stream per
   * response, and its async-resource bookkeeping, cost more than the rest of an attempt at
   * thousands a second. undici's timers give the receiver timeoutMs to answer and to send each
   * chunk; one deadline over the whole exchange cuts off a receiver trickling its body.
   */
  post(
    url: URL,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    allowPrivate: boolean,
  ): Promise<PostResult> {
    if (!undici) return this.preload().then(() => this.post(url, headers, body, timeoutMs, allowPrivate));
    return new Promise<PostResult>((resolve) => {
      const exchange = new Exchange(timeoutMs, (r) => {
        this.#inFlight.delete(exchange);
        resolve(r);
      });
      this.#watch(exchange);
      try {
        const { origin, path } = this.#target(url);
        this.agent(allowPrivate).dispatch(
          {
            origin,
            path,
            method: "POST",
            headers,
            body,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          exchange as unknown as Dispatcher.DispatchHandlers,
        );
      } catch (error) {
        exchange.onError(error);
      }
    });
  }

  // A URL's origin and path, worked out once per URL object (the worker keeps one per endpoint, and
  // no caller changes a URL it has posted to): URL's getters build new strings on every read,
  // ~0.5 µs an attempt in the worker's profile.
  readonly #targets = new WeakMap<URL, { origin: string; path: string }>();
  #target(url: URL): { origin: string; path: string } {
    let target = this.#targets.get(url);
    if (!target) this.#targets.set(url, (target = { origin: url.origin, path: url.pathname + url.search }));
    return target;
  }

  #watch(exchange: Exchange): void {
    this.#inFlight.add(exchange);
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const now = performance.now();
      for (const e of this.#inFlight) if (now >= e.deadline) e.expire();
      if (this.#inFlight.size === 0) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, DEADLINE_SWEEP_MS);
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
  }
}

const DEADLINE_SWEEP_MS = 25;

/** One attempt's exchange: the handler undici calls as the response arrives. */
class Exchange {
  readonly #started = performance.now();
  readonly deadline: number;
  #settled = false;
  #abort: ((reason: Error) => void) | undefined;
  #statusCode = 0;
  #headers: Record<string, string> = {};
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly done: (r: PostResult) => void,
  ) {
    this.deadline = this.#started + timeoutMs;
  }

  /** The whole exchange ran past its timeout: before it reached a connection there is nothing to abort yet. */
  expire(): void {
    const late = Object.assign(new Error("attempt deadline"), { code: ATTEMPT_TIMEOUT });
    this.#abort?.(late);
    this.onError(late);
  }

  onConnect(abort: (reason: Error) => void): void {
    this.#abort = abort;
    if (this.#settled) abort(new Error("attempt deadline"));
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (status < 200) return true; // 1xx: the answer is still to come
    this.#statusCode = status;
    this.#headers = headerRecord(rawHeaders);
    return true;
  }

  /** The first 20 KB are kept; the rest is read to the end so the connection is reused. */
  onData(chunk: Buffer): boolean {
    const size = this.#size;
    if (size < MAX_RESPONSE_BODY)
      this.#chunks.push(size + chunk.length <= MAX_RESPONSE_BODY ? chunk : chunk.subarray(0, MAX_RESPONSE_BODY - size));
    this.#size = size + chunk.length;
    return true;
  }

  onComplete(): void {
    const chunks = this.#chunks;
    const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
    this.#settle(this.#statusCode, this.#headers, text, null, false);
  }

  onError(error: unknown): void {
    const code = (error as { code?: string }).code;
    const timedOut =
      code === ATTEMPT_TIMEOUT ||
      code === "UND_ERR_HEADERS_TIMEOUT" ||
      code === "UND_ERR_BODY_TIMEOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT";
    this.#settle(null, null, null, timedOut ? `timed out after ${this.timeoutMs} ms` : describe(error), timedOut);
  }

  #settle(
    statusCode: number | null,
    headers: Record<string, string> | null,
    body: string | null,
    error: string | null,
    timedOut: boolean,
  ): void {
    if (this.#settled) return;
    this.#settled = true;
    this.done({
      statusCode,
      headers,
      body,
      error,
      timedOut,
      durationMs: Math.round(performance.now() - this.#started),
    });
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
