import { ConflictError, IntgError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { releaseMasterKeyLock, tryMasterKeyLock } from "../../db/queries/integration-secret.js";
import { acquireFileLock, type HeldFileLock } from "../../lib/file-lock.js";
import type { ServiceContext } from "../context.js";

// The one lock around every change to the master keys: creating the key file, a rotation (held
// from the key file's re-read to the last re-encrypted batch), and pruning old keys. Without it two
// rotations interleave and one re-encrypts under a key the other has just replaced in the file.
//
// SQLite: a file lock beside the database file (`intg.db.master-key.lock`, in the key file's folder
// for the embedded database); see lib/file-lock.ts for why it cannot go stale. PostgreSQL: a
// session-level advisory lock on the command's own connection, released when the run ends or its
// connection drops. Ordinary reads and sealing writes do not take it.

export const MASTER_KEY_LOCK_WAIT_MS = 120_000;

const POLL_MS = 50;

// Within one process, callers queue here first: a PostgreSQL session may take its advisory lock
// twice, so the database alone would not keep two runs on one connection apart. Not re-entrant: a
// holder that needs the key file made passes `locked` to loadMasterKeys instead.
const queues = new Map<string, Promise<unknown>>();

export interface KeyLockOptions {
  /** How long to wait for another process's rotation. */
  waitMs?: number;
}

export function masterKeyLockPath(ctx: Pick<ServiceContext, "db">): string | null {
  const { target } = ctx.db;
  const onDisk = target.provider === "sqlite" && target.file && target.file !== ":memory:";
  return onDisk ? `${target.file}.master-key.lock` : null;
}

/** Runs fn holding the master-key lock; waits for another holder, up to waitMs, then exits 6. */
export async function withMasterKeyLock<T>(
  ctx: Pick<ServiceContext, "db" | "sql">,
  fn: () => Promise<T>,
  options: KeyLockOptions = {},
): Promise<T> {
  const waitMs = options.waitMs ?? MASTER_KEY_LOCK_WAIT_MS;
  const path = masterKeyLockPath(ctx);
  const name = ctx.db.target.provider === "postgresql" ? ctx.db.target.url : (path ?? ":memory:");
  const run = async () => {
    if (ctx.db.target.provider === "sqlite" && !path) return fn(); // in memory: no other process sees it
    const release = path ? await fileLock(path, waitMs) : await advisoryLock(ctx, waitMs);
    try {
      return await fn();
    } finally {
      await release();
    }
  };
  const next = (queues.get(name) ?? Promise.resolve()).then(run, run);
  const tail = next.catch(() => undefined);
  queues.set(name, tail);
  void tail.then(() => queues.get(name) === tail && queues.delete(name));
  return next;
}

async function fileLock(path: string, waitMs: number): Promise<() => Promise<void>> {
  let lock: HeldFileLock | undefined;
  try {
    lock = await acquireFileLock(path, { timeoutMs: waitMs, pollMs: POLL_MS });
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new IntgError("MASTER_KEY_LOCK_FAILED", `Cannot take the master-key lock ${path}: ${why}.`);
  }
  if (!lock) throw busy(`lock file ${path}`, waitMs);
  return async () => lock.release();
}

async function advisoryLock(ctx: Pick<ServiceContext, "sql">, waitMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const db = typed(ctx.sql);
  for (;;) {
    if (await tryMasterKeyLock(db)) {
      // Held by this session: a connection cut meanwhile must fail the run, not reopen without it.
      ctx.sql.holdSession?.(true);
      break;
    }
    if (Date.now() >= deadline) throw busy("PostgreSQL advisory lock", waitMs);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  // A failed unlock means the connection is gone, and the lock went with it.
  return async () => {
    await releaseMasterKeyLock(db).catch(() => undefined);
    ctx.sql.holdSession?.(false);
  };
}

function busy(what: string, waitMs: number): ConflictError {
  return new ConflictError(
    `Another intg process is changing the master key (${what}); gave up after ${Math.round(waitMs / 1000)} s.`,
    "Wait for it to finish (intg secrets status shows progress), then run the command again.",
    "MASTER_KEY_LOCKED",
  );
}
