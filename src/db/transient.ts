// Database errors that say "not now" rather than "not this": a write lock held past the busy
// timeout, a connection the server or the network cut (a restart, a failover, an operator's
// pg_terminate_backend), a serialisation failure. The same statement can succeed a moment later,
// so a long-running process (the webhook worker) waits and tries again instead of dying with the
// attempts it has made unrecorded. Judged by code and message, which survive the store thread.

const SQLITE = new Set(["SQLITE_BUSY", "SQLITE_BUSY_RECOVERY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED"]);
// PostgreSQL's SQLSTATEs: class 08 (connection exception), 57P01-03 (the server shutting down or
// starting), 53300 (too many connections), 40001 and 40P01 (serialisation failure, deadlock).
const POSTGRES = /^(08\w{3}|57P0[123]|53300|40001|40P01)$/;
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);
/** What pg says of a connection it lost, and of a client used after that. */
const LOST = /Connection terminated|not queryable|connection was lost/i;

/** True when the connection itself is gone: it must be opened again before anything else runs on it. */
export function lostConnection(error: unknown): boolean {
  const { code, message } = parts(error);
  return (
    (code !== undefined && (/^08\w{3}$|^57P0[123]$/.test(code) || NETWORK.has(code))) ||
    (message !== undefined && LOST.test(message))
  );
}

/** True when the same work may succeed if tried again shortly (see above). */
export function transientDbError(error: unknown): boolean {
  const { code } = parts(error);
  if (code !== undefined && (SQLITE.has(code) || POSTGRES.test(code))) return true;
  if (code === "DATABASE_UNAVAILABLE") return true; // intg's own: the server cannot be reached
  return lostConnection(error);
}

function parts(error: unknown): { code?: string; message?: string } {
  const e = error as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof e?.code === "string" ? e.code : undefined,
    message: typeof e?.message === "string" ? e.message : undefined,
  };
}

/**
 * A row refers to a parent that is gone (a foreign key): on the worker's record, an attempt whose
 * delivery was deleted while it was in flight. Not transient: the parent will not come back.
 */
export function missingParent(error: unknown): boolean {
  const { code } = parts(error);
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
}
