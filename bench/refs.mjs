// References: `intg refs import` of N references from a CSV file (the whole process, start-up
// included) against raw driver inserts of the same rows on the same schema, in the same run:
// better-sqlite3 prepared inserts in one transaction on SQLite; on PostgreSQL (when
// BENCH_DATABASE_URL or INTG_TEST_DATABASE_URL names a server) pg multi-row INSERTs of 1,000 rows
// in one transaction, and COPY … FROM STDIN of the rows (pg-copy-streams, as `psql \copy` does)
// in one transaction: the fastest way in. Then `intg refs export` of those N references against a
// raw SELECT of them. BENCH_REFS sets N.
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, median } from "./lib.mjs";
import { tempPostgres } from "./postgres.mjs";

const tools = await import("../dist/dev-tools.cjs");
const N = Number(process.env.BENCH_REFS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_REFS_ROUNDS ?? 1);
const RSS = fileURLToPath(new URL("./rss.cjs", import.meta.url));
const T = "2026-01-01T00:00:00.000+00:00";
const row = (i) => ["user", String(i), "contact", `c${i}`];

export async function refs() {
  const dir = mkdtempSync(join(tmpdir(), "intg-bench-refs-"));
  try {
    const csv = join(dir, "refs.csv");
    await writeCsv(csv);
    const rows = [];
    const sqlite = { project: [], limit: [], rss: [] };
    let lastDb;
    for (let round = 0; round < ROUNDS; round++) {
      sqlite.limit.push(await rawSqlite(await freshSqlite(dir, `raw${round}`)));
      lastDb = await freshSqlite(dir, `intg${round}`);
      const run = importProcess(csv, lastDb, dir);
      sqlite.project.push(run.rate);
      sqlite.rss.push(run.rss);
    }
    rows.push(
      rateRow(
        `refs import, SQLite (${N.toLocaleString("en")} rows from CSV; peak RSS ${mb(Math.max(...sqlite.rss))})`,
        sqlite,
        "raw prepared inserts, 1 tx",
        "≥ 0.5x, RSS < 256 MB",
      ),
    );
    rows.push(exportRow(lastDb, dir));
    const pgRows = await postgres(csv, dir);
    if (pgRows) rows.push(...pgRows);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rateRow = (figure, r, limitName, target) => {
  const p = median(r.project);
  const l = median(r.limit);
  return { figure, project: p.toFixed(0), limit: l.toFixed(0), unit: "rows/s", limitName, ratio: p / l, target };
};

async function writeCsv(file) {
  const out = createWriteStream(file);
  out.write("entityType,entityId,externalType,externalId\n");
  for (let i = 0; i < N; i += 10_000) {
    let text = "";
    for (let j = i; j < Math.min(N, i + 10_000); j++) text += row(j).join(",") + "\n";
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

function intg(args, url, extra = {}) {
  const env = { PATH: process.env.PATH, HOME: tmpdir(), INTG_DATABASE_URL: url, ...extra };
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", RSS, BIN, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`intg ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

/** A migrated database with one provider and connection, as `connections create` would leave. */
async function freshSqlite(dir, name) {
  const url = `file:${join(dir, `${name}.db`)}`;
  intg(["db", "migrate"], url);
  const db = tools.openSqlite(join(dir, `${name}.db`));
  db.prepare(
    `INSERT INTO "IntegrationProvider" ("id","slug","name","category","baseUrl","authType","createdAt","updatedAt") VALUES ('prov_bench','bench','Bench','CRM','https://api.bench.test','API_KEY',?,?)`,
  ).run(T, T);
  db.prepare(
    `INSERT INTO "IntegrationConnection" ("id","providerId","name","environment","createdAt","updatedAt") VALUES ('conn_bench','prov_bench','bench','PRODUCTION',?,?)`,
  ).run(T, T);
  db.close();
  return url;
}

function importProcess(csv, url, dir) {
  const rssFile = join(dir, "rss");
  const seconds = intg(["refs", "import", csv, "--connection", "conn_bench", "--quiet"], url, {
    BENCH_RSS_FILE: rssFile,
  });
  return { rate: N / seconds, rss: Number(readFileSync(rssFile, "utf8")) };
}

const INSERT = `INSERT INTO "ExternalReference" ("id","connectionId","entityType","entityId","externalType","externalId","metadata","payloadHash","firstSeenAt","lastModifiedAt","remoteDeleted","createdAt","updatedAt") VALUES `;

/** The limit: the same rows through one prepared statement, in one transaction, nothing else. */
async function rawSqlite(url) {
  const db = tools.openSqlite(url.slice("file:".length));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const insert = db.prepare(INSERT + "(?,'conn_bench',?,?,?,?,NULL,NULL,?,?,0,?,?)");
  const start = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < N; i++) insert.run(`ref_${String(i).padStart(26, "0")}`, ...row(i), T, T, T, T);
  })();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.close();
  return N / seconds;
}

function exportRow(url, dir) {
  const file = url.slice("file:".length);
  const rssFile = join(dir, "rss-export");
  const project = N / intg(["refs", "export", "--format", "ndjson"], url, { BENCH_RSS_FILE: rssFile });
  const rss = Number(readFileSync(rssFile, "utf8"));
  const db = tools.openSqlite(file);
  const start = process.hrtime.bigint();
  let n = 0;
  for (const r of db.prepare(`SELECT * FROM "ExternalReference" ORDER BY "id"`).raw(true).iterate())
    n += r.length > 0 ? 1 : 0;
  const limit = n / (Number(process.hrtime.bigint() - start) / 1e9);
  db.close();
  return {
    figure: `refs export --format ndjson, SQLite (${N.toLocaleString("en")} rows; peak RSS ${mb(rss)})`,
    project: project.toFixed(0),
    limit: limit.toFixed(0),
    unit: "rows/s",
    limitName: "raw SELECT iterate",
    ratio: project / limit,
    target: "≥ 100,000 rows/s",
  };
}

async function postgres(csv, dir) {
  const { default: pg } = await import("pg");
  const r = { project: [], limit: [], copy: [], rss: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of ["limit", "copy", "project"]) {
      const db = await tempPostgres();
      if (!db) return null;
      try {
        intg(["db", "migrate"], db.url);
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        await c.query(
          `INSERT INTO "IntegrationProvider" ("id","slug","name","category","baseUrl","authType","createdAt","updatedAt") VALUES ('prov_bench','bench','Bench','CRM','https://api.bench.test','API_KEY',now(),now())`,
        );
        await c.query(
          `INSERT INTO "IntegrationConnection" ("id","providerId","name","environment","createdAt","updatedAt") VALUES ('conn_bench','prov_bench','bench','PRODUCTION',now(),now())`,
        );
        if (side === "limit") r.limit.push(await rawPg(c));
        else if (side === "copy") r.copy.push(await copyPg(c));
        else {
          const run = importProcess(csv, db.url, dir);
          r.project.push(run.rate);
          r.rss.push(run.rss);
        }
        await c.end();
      } finally {
        await db.drop();
      }
    }
  }
  const rss = mb(Math.max(...r.rss));
  const figure = `refs import, PostgreSQL (${N.toLocaleString("en")} rows from CSV; peak RSS ${rss})`;
  return [
    rateRow(figure, r, "raw pg multi-row INSERT, 1 tx", ""),
    rateRow(figure, { project: r.project, limit: r.copy }, "COPY FROM STDIN, 1 tx", "≥ 0.5x"),
  ];
}

/** The limit on PostgreSQL: multi-row INSERTs of 1,000 rows through pg, in one transaction. */
async function rawPg(c) {
  const BATCH = 1000;
  const start = process.hrtime.bigint();
  await c.query("BEGIN");
  for (let i = 0; i < N; i += BATCH) {
    const params = [];
    const values = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) {
      const k = params.length;
      values.push(
        `($${k + 1},'conn_bench',$${k + 2},$${k + 3},$${k + 4},$${k + 5},NULL,NULL,$${k + 6},$${k + 6},false,$${k + 6},$${k + 6})`,
      );
      params.push(`ref_${String(j).padStart(26, "0")}`, ...row(j), "2026-01-01T00:00:00.000Z");
    }
    await c.query(INSERT + values.join(","), params);
  }
  await c.query("COMMIT");
  return N / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The COPY limit on PostgreSQL: the same rows in COPY's text format, streamed in one transaction. */
async function copyPg(c) {
  const { from } = await import("pg-copy-streams");
  const at = "2026-01-01 00:00:00.000";
  const start = process.hrtime.bigint();
  await c.query("BEGIN");
  const columns =
    `"id","connectionId","entityType","entityId","externalType","externalId","metadata","payloadHash",` +
    `"firstSeenAt","lastModifiedAt","remoteDeleted","createdAt","updatedAt"`;
  const stream = c.query(from(`COPY "ExternalReference" (${columns}) FROM STDIN`));
  const done = new Promise((resolve, reject) => stream.on("finish", resolve).on("error", reject));
  for (let i = 0; i < N; i += 10_000) {
    let text = "";
    for (let j = i; j < Math.min(N, i + 10_000); j++) {
      const times = `${at}\t${at}\tf\t${at}\t${at}`;
      text += `ref_${String(j).padStart(26, "0")}\tconn_bench\t${row(j).join("\t")}\t\\N\t\\N\t${times}\n`;
    }
    if (!stream.write(text)) await once(stream, "drain");
  }
  stream.end();
  await done;
  await c.query("COMMIT");
  return N / (Number(process.hrtime.bigint() - start) / 1e9);
}
