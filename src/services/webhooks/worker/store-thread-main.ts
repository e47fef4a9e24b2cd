import { parentPort, workerData } from "node:worker_threads";
import { openSql } from "../../../db/sql.js";
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
    store = sqlStore(sql, { target, env });
    close = async () => {
      await store.close();
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

const data = workerData as { target: DbTarget; env: Env };
if (parentPort) void main(parentPort, data.target, data.env);
