import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { DbTarget, Env } from "../../../db/url.js";
import { errorFromWire, type WireError } from "../../../errors.js";
import { unflattenClaims } from "./claim.js";
import type { DeliveryStore } from "./store.js";

// The delivery store on a worker thread. Claims and attempt records are most of a worker's CPU
// time after HTTP itself; on their own thread (with their own connection: SQLite's WAL lets the
// main connection keep reading endpoints meanwhile) they run beside the POSTs, not between them.

export type StoreRequest =
  | { id: number; op: "claim"; args: Parameters<DeliveryStore["claim"]> }
  | { id: number; op: "record"; args: Parameters<DeliveryStore["record"]> }
  | { id: number; op: "renew"; args: Parameters<DeliveryStore["renew"]> }
  | { id: number; op: "release"; args: Parameters<DeliveryStore["release"]> }
  | { id: number; op: "close"; args: [] };

export type StoreReply = { id: number; value: unknown } | { id: number; error: WireError };

/** The built thread entry beside the bundle, or null when running from source (the tests' in-process worker). */
export function storeThreadFile(): string | null {
  const file = fileURLToPath(new URL("./webhook-store.cjs", import.meta.url));
  return existsSync(file) ? file : null;
}

/**
 * The built CLI's launcher runs the thread's bundle with the code cache the build made for it
 * (scripts/launcher.cjs); beside a bundle without one (a library's copy), the bundle itself.
 */
function startThread(file: string, workerData: unknown): Worker {
  const launcher = join(dirname(file), "intg.cjs");
  if (!existsSync(launcher)) return new Worker(file, { workerData });
  return new Worker(launcher, { workerData, argv: ["--intg-thread", basename(file)] });
}

/** How long a closed store thread has to end by itself before it is stopped. */
const THREAD_EXIT_MS = 1000;

export async function threadStore(target: DbTarget, file: string, env: Env): Promise<DeliveryStore> {
  // env: where the master key comes from, for the audit events the store thread writes.
  const worker = startThread(file, { target, env });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let dead: Error | undefined;
  const failAll = (error: Error) => {
    dead ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("message", (m: StoreReply) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if ("error" in m) w.reject(errorFromWire(m.error));
    else w.resolve(m.value);
  });
  worker.on("error", failAll);
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("exit", (code) => failAll(new Error(`the webhook store thread stopped (exit code ${code})`)));
  const call = <T>(op: StoreRequest["op"], args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, args });
    });
  // The thread's first message, id 0, says its connection is open (or why it is not).
  await new Promise((resolve, reject) => waiting.set(0, { resolve, reject }));
  return {
    claim: async (...args) => unflattenClaims(await call<(string | number)[]>("claim", args)),
    record: (...args) => call("record", args),
    renew: (...args) => call("renew", args),
    release: (...args) => call("release", args),
    close: async () => {
      if (!dead) await call("close", []).catch(() => undefined);
      // Having closed its connection the thread ends by itself (so its exit handlers run: the
      // build writes the thread's code cache there); one that does not is stopped.
      if (!dead) await Promise.race([exited, sleep(THREAD_EXIT_MS, undefined, { ref: false })]);
      await worker.terminate();
    },
  };
}

/**
 * Opens the database (`open`) and the store thread together: the thread boots a V8 isolate and
 * its own connection on the other core meanwhile. A database that does not exist yet is left to
 * `open` to create first. Undefined when running from source (no built thread file).
 */
export async function withStoreThread<T>(
  target: DbTarget,
  env: Env,
  open: () => Promise<T>,
): Promise<{ opened: T; store: DeliveryStore | undefined }> {
  const file = storeThreadFile();
  if (!file) return { opened: await open(), store: undefined };
  const exists = target.provider === "postgresql" || (target.file !== undefined && existsSync(target.file));
  if (!exists) {
    const opened = await open();
    return { opened, store: await threadStore(target, file, env) };
  }
  const thread = threadStore(target, file, env);
  try {
    const opened = await open();
    return { opened, store: await thread };
  } catch (error) {
    await thread.then(
      (t) => t.close(),
      () => undefined,
    );
    throw error;
  }
}
