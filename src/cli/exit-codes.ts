import { ERROR_CODES, type ErrorCode, type ErrorKind, IntgError } from "../errors.js";
import { fieldsOf } from "../types/fields.js";

/** DESIGN §5. Never reuse a code for another meaning; CI scripts depend on them. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  CHECK_FAILED: 3,
  CREDENTIAL: 4,
  NOT_FOUND: 5,
  CONFLICT: 6,
  PENDING: 8,
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [ExitCode.OK, "ok"],
  [ExitCode.FAILURE, "the operation failed"],
  [ExitCode.USAGE, "usage error or invalid input (nothing was written)"],
  [ExitCode.CHECK_FAILED, "a check failed: something is unhealthy"],
  [ExitCode.CREDENTIAL, "a credential is invalid, expired or revoked"],
  [ExitCode.NOT_FOUND, "not found"],
  [ExitCode.CONFLICT, "conflict (already exists, changed concurrently)"],
  [ExitCode.PENDING, "pending: migrations pending, degraded, still in a grace period"],
  [ExitCode.INTERRUPTED, "interrupted"],
];

/** The one place an error's kind becomes an exit code (src/errors.ts knows no exit codes). */
const EXIT_CODE_OF_KIND: Readonly<Record<ErrorKind, ExitCode>> = {
  failure: ExitCode.FAILURE,
  usage: ExitCode.USAGE,
  check_failed: ExitCode.CHECK_FAILED,
  credential: ExitCode.CREDENTIAL,
  not_found: ExitCode.NOT_FOUND,
  conflict: ExitCode.CONFLICT,
  pending: ExitCode.PENDING,
  interrupted: ExitCode.INTERRUPTED,
};

export function exitCodeFor(kind: ErrorKind): ExitCode {
  return EXIT_CODE_OF_KIND[kind];
}

/** The exit code an error ends the command with: its kind's, or 1 for anything unexpected. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof IntgError ? exitCodeFor(error.kind) : ExitCode.FAILURE;
}

/** `intg help exit-codes --json`: every exit code, its meaning, and the error codes that end with it. */
/** A row of `intg help exit-codes --json`: an exit code and the error codes that end with it. */
export interface ExitCodeInfo {
  code: ExitCode;
  meaning: string;
  errors: ErrorCode[];
}
export const EXIT_CODE_FIELDS = fieldsOf<ExitCodeInfo>()({ code: true, meaning: true, errors: true });

export function exitCodeTable(): ExitCodeInfo[] {
  const codes = Object.entries(ERROR_CODES) as Array<[ErrorCode, readonly ErrorKind[]]>;
  return EXIT_CODE_MEANINGS.map(([code, meaning]) => ({
    code,
    meaning,
    errors: codes.filter(([, kinds]) => kinds.some((k) => exitCodeFor(k) === code)).map(([name]) => name),
  }));
}
