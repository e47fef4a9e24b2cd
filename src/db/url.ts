import { isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { nodeOs } from "../lib/lazy-builtins.js";

export type Provider = "sqlite" | "postgresql";

/** Where the data lives, decided once from flags and environment. */
export interface DbTarget {
  provider: Provider;
  /** The URL as given (or the embedded default). Contains credentials: never print it; use `redacted`. */
  url: string;
  /** For SQLite, the absolute file path (or ":memory:"). */
  file?: string;
  /** True when no URL was given and the embedded default under the XDG data directory is used. */
  embedded: boolean;
  /** Where the URL came from, for `intg db info`. */
  source: "--db" | "INTG_DATABASE_URL" | "DATABASE_URL" | "default" | "openIntg(url)";
  redacted: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function defaultDatabaseFile(env: Env): string {
  const dataHome =
    env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : join(env.HOME || nodeOs().homedir(), ".local", "share");
  return join(dataHome, "intg", "intg.db");
}

/** DESIGN §4: --db, then INTG_DATABASE_URL, then DATABASE_URL, then the embedded default. */
export function resolveDbTarget(flag: string | undefined, env: Env, cwd: string): DbTarget {
  const candidates: [DbTarget["source"], string | undefined][] = [
    ["--db", flag],
    ["INTG_DATABASE_URL", env.INTG_DATABASE_URL],
    ["DATABASE_URL", env.DATABASE_URL],
  ];
  for (const [source, value] of candidates) {
    if (value !== undefined && value.trim() !== "") return parseDbUrl(value.trim(), source, cwd);
  }
  const file = defaultDatabaseFile(env);
  return { provider: "sqlite", url: `file:${file}`, file, embedded: true, source: "default", redacted: `file:${file}` };
}

export function parseDbUrl(url: string, source: DbTarget["source"], cwd: string): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(
        `${source} is not a valid PostgreSQL URL.`,
        "Use postgresql://user[:password]@host[:port]/database",
      );
    }
    return { provider: "postgresql", url, embedded: false, source, redacted: redactUrl(parsed) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("file:")) {
    const scheme = url.slice(0, url.indexOf(":"));
    throw new UsageError(
      `${source} uses the unsupported scheme "${scheme}:".`,
      "Use file:<path> or a path for SQLite, or postgresql://… for PostgreSQL.",
    );
  }
  const raw = url.startsWith("file:") ? url.slice("file:".length).replace(/^\/\/(?=\/)/, "") : url;
  const path = raw.split("?")[0]!;
  if (path === "") throw new UsageError(`${source} names no SQLite file.`, "Use file:<path>, e.g. file:./intg.db");
  const file = path === ":memory:" ? path : isAbsolute(path) ? path : resolve(cwd, path);
  return { provider: "sqlite", url: `file:${file}`, file, embedded: false, source, redacted: `file:${file}` };
}

function redactUrl(u: URL): string {
  if (u.password) u.password = "****";
  for (const key of [...u.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, "****");
  }
  return u.toString();
}
