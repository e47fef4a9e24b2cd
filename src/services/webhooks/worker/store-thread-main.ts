import { parentPort, workerData } from "node:worker_threads";
import { openSql, type SqlClient } from "../../../db/sql.js";
import type { DbTarget, Env } from "../../../db/url.js";
import { errorToWire } from "../../../errors.js";
import { flattenClaims } from "./claim.js";
import { sqlStore, type DeliveryStore } from "./store.js";
import type { StoreReply, StoreRequest } from "./store-thread.js";

// The worker thread behind the thread store, built to dist/webhook-store.cjs: it opens its own
// connection and answers the main thread's claim/record/release calls in the order they arrive
// (the connection queues transactions, so a claim and a batch being recorded never interleave
// inside one).

async function main(port: NonNullable<typeof parentPort>, target: DbTarget, env: Env): Promise<void> {
  let store: DeliveryStore;
  let close: () => Promise<void>;
  try {
    const sql = await openSql(target);
    // PostgreSQL: claims on a connection of their own. On one, a claim waited behind the batch
    // being recorded (lanes ran dry meanwhile) and the server worked on one statement at a time;
    // measured, one worker ran ~1.2x as fast with two. On SQLite both would take the one write lock.
    const claims = target.provider === "postgresql" ? await openSql(target).catch((e) => closing(sql, e)) : sql;
    store = sqlStore(sql, { target, env }, claims);
    close = async () => {
      await store.close();
      if (claims !== sql) await claims.close();
      await sql.close();
    };
  } catch (error) {
    port.postMessage({ id: 0, error: errorToWire(error) } satisfies StoreReply);
    return;
  }
  port.postMessage({ id: 0, value: null } satisfies StoreReply);
  port.on("message", async (m: StoreRequest) => {
    try {
      const value =
        m.op === "close"
          ? await close()
          : m.op === "claim"
            ? flattenClaims(await store.claim(...m.args))
            : await (store[m.op] as (...a: unknown[]) => Promise<unknown>)(...m.args);
      port.postMessage({ id: m.id, value: value ?? null } satisfies StoreReply);
      if (m.op === "close") port.close();
    } catch (error) {
      port.postMessage({ id: m.id, error: errorToWire(error) } satisfies StoreReply);
    }
  });
}

/** Closes the connection opened first when the second cannot be, and fails with why. */
async function closing(sql: SqlClient, error: unknown): Promise<never> {
  await sql.close().catch(() => undefined);
  throw error;
}

const data = workerData as { target: DbTarget; env: Env };
if (parentPort) void main(parentPort, data.target, data.env);
