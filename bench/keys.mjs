// Keys: cold starts of `keys list --json` over 1,000 keys and of `keys verify`, against
// `node -e 0`; and in-process verification throughput (the service, 100k verifications of
// existing keys) against a raw indexed SELECT by hash through the driver, on the same database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { BIN, coldStartRow, median, timeProcess } from "./lib.mjs";

const tools = await import("../dist/dev-tools.cjs");
const N = Number(process.env.BENCH_VERIFICATIONS ?? 100_000);

export async function keys() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-"));
  const url = `file:${join(dir, "keys.db")}`;
  const env = { PATH: process.env.PATH, HOME: dir, INTG_DATABASE_URL: url };
  try {
    timeProcess([BIN, "db", "migrate"], env);
    const target = tools.parseDbUrl(url, "--db", dir);
    const db = await tools.openDatabase(target, { autoMigrate: false });
    const ctx = { db, sql: db.sql, now: () => new Date(), actor: "bench", env: {} };
    const keys = [];
    for (let i = 0; i < 1000; i++) {
      keys.push(
        (
          await tools.createKey(ctx, {
            name: `k${i}`,
            scopes: ["READ", "WRITE"],
            environment: "live",
            prefix: "intg",
            ownerId: null,
            metadata: { i: String(i) },
            expiresAt: null,
          })
        ).key,
      );
    }
    const rows = [
      coldStartRow("cold start: intg keys list --json (1,000 keys)", [BIN, "keys", "list", "--json"], env),
      coldStartRow("cold start: intg keys verify", [BIN, "keys", "verify", "--json"], env, keys[0]),
      await throughput(ctx, target, keys),
    ];
    await db.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(ctx, target, keys) {
  const raw = tools.openSqlite(target.file);
  // The limit: the lookup a verification needs (id, hash, status, expiry, grace), run straight
  // through the driver with the hash already computed; the service adds hashing, the checks and
  // the buffered usage writes.
  const select = raw.prepare(tools.KEY_LOOKUP);
  const hashes = keys.map((k) => createHash("sha256").update(k).digest("hex"));
  const rounds = { project: [], limit: [] };
  for (let round = 0; round < 5; round++) {
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (!select.get(hashes[i % hashes.length])) throw new Error("missing");
    rounds.limit.push(N / (Number(process.hrtime.bigint() - t) / 1e9));
    const verifier = new tools.KeyVerifier(ctx);
    t = process.hrtime.bigint();
    for (let i = 0; i < N; i++)
      if (!(await verifier.verify(keys[i % keys.length], "READ")).valid) throw new Error("invalid");
    await verifier.flush(); // the usage writes are part of the cost
    rounds.project.push(N / (Number(process.hrtime.bigint() - t) / 1e9));
  }
  raw.close();
  const p = median(rounds.project);
  const l = median(rounds.limit);
  return {
    figure: `verifications/s in process (${N.toLocaleString("en")} x 5 rounds)`,
    project: p.toFixed(0),
    limit: l.toFixed(0),
    unit: "/s",
    limitName: "raw indexed SELECT",
    ratio: p / l,
    target: "≥ 0.5x",
  };
}
