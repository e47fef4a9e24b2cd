// Fake provider APIs for tests and benchmarks: real HTTP servers on 127.0.0.1 (no mocked fetch).
// One server plays one provider: healthy (checks the credential it is given), always 401, hanging,
// rate-limiting with 429 + Retry-After, or slow; with `oauth`, it also serves /oauth/token for
// the client-credentials and refresh-token grants and accepts only the tokens it issued.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface FakeProviderOptions {
  behaviour?: "healthy" | "unauthorized" | "hang" | "rate-limit";
  /** Answer after this long (a slow provider; the bench's 200 ms). */
  delayMs?: number;
  /** Whether a request carries the right credential; default: anything goes (or, with oauth, an issued token). */
  accept?: (r: FakeRequest) => boolean;
  /** rate-limit: at most `max` requests per `windowMs`, then 429 with Retry-After: retryAfterSeconds. */
  rateLimit?: { max: number; windowMs: number; retryAfterSeconds: number };
  oauth?: {
    clientId: string;
    clientSecret?: string;
    refreshToken?: string;
    expiresIn?: number;
    delayMs?: number;
    rotateRefreshToken?: boolean;
  };
}

export interface FakeProvider {
  /** The origin, e.g. http://127.0.0.1:41234 */
  url: string;
  tokenUrl: string;
  requests: FakeRequest[];
  grants: { grantType: string; at: number }[];
  issued: Set<string>;
  /** The refresh token currently valid (rotates when rotateRefreshToken is set). */
  refreshToken: string | undefined;
  close(): Promise<void>;
}

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const sockets = new Set<Socket>();
  const fake: FakeProvider = {
    url: "",
    tokenUrl: "",
    requests: [],
    grants: [],
    issued: new Set(),
    refreshToken: options.oauth?.refreshToken,
    close: async () => undefined,
  };
  const window: number[] = [];
  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: FakeRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      if (options.oauth && r.url.startsWith("/oauth/token"))
        return void setTimeout(() => token(r, res), options.oauth.delayMs ?? 0);
      fake.requests.push(r);
      if (options.behaviour === "hang") return; // never answers; the client's timeout must cut it off
      const answer = () => {
        if (options.behaviour === "unauthorized") return reply(res, 401, { error: "unauthorized" });
        const accepted =
          options.accept ??
          (options.oauth
            ? (q: FakeRequest) => fake.issued.has(String(q.headers.authorization ?? "").replace(/^Bearer /, ""))
            : () => true);
        if (!accepted(r)) return reply(res, 401, { error: "invalid credential" });
        if (options.behaviour === "rate-limit" && options.rateLimit) {
          const { max, windowMs, retryAfterSeconds } = options.rateLimit;
          while (window.length && window[0]! <= r.at - windowMs) window.shift();
          if (window.length >= max)
            return reply(res, 429, { error: "slow down" }, { "retry-after": String(retryAfterSeconds) });
          window.push(r.at);
        }
        reply(res, 200, { ok: true, method: r.method, path: r.url, echo: r.body || null });
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  });
  const token = (r: FakeRequest, res: ServerResponse) => {
    const o = options.oauth!;
    const form = new URLSearchParams(r.body);
    const grantType = form.get("grant_type") ?? "";
    fake.grants.push({ grantType, at: Date.now() });
    const clientOk =
      form.get("client_id") === o.clientId &&
      (o.clientSecret === undefined || form.get("client_secret") === o.clientSecret);
    if (!clientOk) return reply(res, 401, { error: "invalid_client" });
    if (grantType === "refresh_token" && form.get("refresh_token") !== fake.refreshToken)
      return reply(res, 400, { error: "invalid_grant" });
    if (grantType !== "refresh_token" && grantType !== "client_credentials")
      return reply(res, 400, { error: "unsupported_grant_type" });
    const accessToken = `at_${randomBytes(12).toString("hex")}`;
    fake.issued.add(accessToken);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: o.expiresIn ?? 3600,
    };
    if (grantType === "refresh_token" && o.rotateRefreshToken)
      body.refresh_token = fake.refreshToken = `rt_${randomBytes(12).toString("hex")}`;
    reply(res, 200, body);
  };
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.tokenUrl = `${fake.url}/oauth/token`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}

/** Fake providers started as a test needs them, closed together in afterAll. */
export function fakeProviders(): {
  start(options?: FakeProviderOptions): Promise<FakeProvider>;
  closeAll(): Promise<void>;
} {
  const all: FakeProvider[] = [];
  return {
    start: async (options) => {
      const fake = await startFakeProvider(options);
      all.push(fake);
      return fake;
    },
    closeAll: async () => void (await Promise.all(all.map((f) => f.close()))),
  };
}
