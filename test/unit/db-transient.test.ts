import { describe, expect, it } from "vitest";
import { lostConnection, transientDbError } from "../../src/db/transient.js";

// Which database errors the worker waits out (transient) and which connections are opened again (lost).
describe("transient database errors", () => {
  const e = (code: string | undefined, message = "x") => Object.assign(new Error(message), code ? { code } : {});

  it("waits out a held lock, a cut or refused connection, a shutdown, a serialisation failure", () => {
    for (const code of ["SQLITE_BUSY", "SQLITE_LOCKED", "08006", "08003", "57P01", "57P03", "40001", "40P01"])
      expect(transientDbError(e(code)), code).toBe(true);
    expect(transientDbError(e("ECONNREFUSED"))).toBe(true);
    expect(transientDbError(e(undefined, "Connection terminated unexpectedly"))).toBe(true);
    expect(transientDbError(e(undefined, "Client has encountered a connection error and is not queryable"))).toBe(true);
    expect(transientDbError({ code: "DATABASE_UNAVAILABLE", message: "cannot reach" })).toBe(true);
  });

  it("stops on anything else: a constraint, a syntax error, a full disk, a bug", () => {
    for (const code of [
      "SQLITE_CONSTRAINT_UNIQUE",
      "SQLITE_FULL",
      "23505",
      "42601",
      "22P02",
      "CONFIG_INTEGRITY_FAILED",
    ])
      expect(transientDbError(e(code)), code).toBe(false);
    expect(transientDbError(new TypeError("x is not a function"))).toBe(false);
    expect(transientDbError(null)).toBe(false);
  });

  it("opens the connection again only when it is gone, not on a lock or a serialisation failure", () => {
    expect(lostConnection(e("57P01"))).toBe(true);
    expect(lostConnection(e("ECONNRESET"))).toBe(true);
    expect(lostConnection(e(undefined, "Connection terminated"))).toBe(true);
    expect(lostConnection(e("40001"))).toBe(false);
    expect(lostConnection(e("SQLITE_BUSY"))).toBe(false);
  });
});
