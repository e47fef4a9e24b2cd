import { ExitCode } from "./exit-codes.js";

/**
 * An error meant for the user: a complete sentence, a machine code for `--json`, the exit code,
 * and optionally what to run next. Services throw these; src/cli/run.ts is the only place that
 * turns them into output and an exit code.
 */
export class IntgError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode = ExitCode.FAILURE,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, arguments or input. Nothing was written. */
export class UsageError extends IntgError {
  constructor(message: string, hint?: string, code = "USAGE") {
    super(code, message, ExitCode.USAGE, hint);
  }
}

export class NotFoundError extends IntgError {
  constructor(message: string, hint?: string, code = "NOT_FOUND") {
    super(code, message, ExitCode.NOT_FOUND, hint);
  }
}

export class ConflictError extends IntgError {
  constructor(message: string, hint?: string, code = "CONFLICT") {
    super(code, message, ExitCode.CONFLICT, hint);
  }
}

export class CredentialError extends IntgError {
  constructor(message: string, hint?: string, code = "CREDENTIAL_INVALID") {
    super(code, message, ExitCode.CREDENTIAL, hint);
  }
}

/** A health gate failed; the result was printed and the exit code says so. */
export class CheckFailedError extends IntgError {
  constructor(message: string, code = "CHECK_FAILED") {
    super(code, message, ExitCode.CHECK_FAILED);
  }
}

/** Something is not finished yet: migrations pending, a grace period still running. */
export class PendingError extends IntgError {
  constructor(message: string, hint?: string, code = "PENDING") {
    super(code, message, ExitCode.PENDING, hint);
  }
}

/** The database could not be reached or answered with an error. */
export class DatabaseError extends IntgError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }, code = "DATABASE_UNAVAILABLE") {
    super(code, message, ExitCode.FAILURE, hint, options);
  }
}
