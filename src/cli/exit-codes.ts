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
