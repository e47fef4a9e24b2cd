import { describe, expect, it } from "vitest";
import { ExitCode, exitCodeFor, exitCodeOf, type exitCodeTable } from "../../src/cli/exit-codes.js";
import {
  CheckFailedError,
  ConflictError,
  CredentialError,
  ERROR_CODES,
  type ErrorKind,
  errorFromWire,
  errorToWire,
  IntgError,
  InterruptedError,
  NotFoundError,
  PendingError,
  UsageError,
} from "../../src/errors.js";
import { runCli } from "../helpers/io.js";

describe("errors below every layer", () => {
  it("map each kind to its documented exit code, in the CLI alone", () => {
    const kinds: Record<ErrorKind, number> = {
      failure: 1,
      usage: 2,
      check_failed: 3,
      credential: 4,
      not_found: 5,
      conflict: 6,
      pending: 8,
      interrupted: 130,
    };
    for (const [kind, code] of Object.entries(kinds)) expect(exitCodeFor(kind as ErrorKind)).toBe(code);
    expect(exitCodeOf(new UsageError("x"))).toBe(ExitCode.USAGE);
    expect(exitCodeOf(new InterruptedError("x"))).toBe(ExitCode.INTERRUPTED);
    expect(exitCodeOf(new Error("not ours"))).toBe(ExitCode.FAILURE);
  });

  it("keep their class, code, kind and hint across a thread (structured clone drops classes)", () => {
    const errors = [
      new UsageError("bad", "do this", "INVALID_BATCH_LINE"),
      new NotFoundError("none", undefined, "EVENT_TYPE_NOT_FOUND"),
      new ConflictError("taken", "later", "ROTATION_IN_GRACE"),
      new CredentialError("no key", "set it", "MASTER_KEY_MISSING"),
      new CheckFailedError("unhealthy"),
      new PendingError("wait", "migrate", "MIGRATIONS_PENDING"),
      new InterruptedError("stopped"),
      new IntgError("SYNC_FAILED", "failed", "failure", "retry"),
    ];
    for (const original of errors) {
      const back = errorFromWire(structuredClone(errorToWire(original)));
      expect(back).toBeInstanceOf(original.constructor);
      expect(back).toBeInstanceOf(IntgError);
      expect(back).toMatchObject({
        name: original.name,
        message: original.message,
        code: original.code,
        kind: original.kind,
        hint: original.hint,
      });
      expect(exitCodeOf(back)).toBe(exitCodeOf(original));
    }
    const plain = errorFromWire(structuredClone(errorToWire(Object.assign(new Error("disk"), { code: "EIO" }))));
    expect(plain).not.toBeInstanceOf(IntgError);
    expect(plain).toMatchObject({ message: "disk", code: "EIO" });
  });

  it("are documented by `intg help exit-codes --json`: every error code under its exit code", async () => {
    const r = await runCli(["help", "exit-codes", "--json"]);
    expect(r.code).toBe(0);
    const table = JSON.parse(r.stdout) as ReturnType<typeof exitCodeTable>;
    expect(table.map((t) => t.code)).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 130]);
    for (const [code, kinds] of Object.entries(ERROR_CODES)) {
      for (const kind of kinds) expect(table.find((t) => t.code === exitCodeFor(kind))!.errors).toContain(code);
    }
    expect(table.find((t) => t.code === 6)!.errors).toContain("ROTATION_IN_GRACE");
    // One exit code per error code (PASSPHRASE_REQUIRED was under 2 and 4), and none that is no
    // error: VALID, the verification outcome keys verify never throws, was listed under 4.
    const listed = table.flatMap((t) => t.errors);
    expect(listed.length).toBe(new Set(listed).size);
    expect(listed).not.toContain("VALID");
  });
});
