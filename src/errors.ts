/**
 * The errors every layer throws, below every layer: this module imports nothing of the project.
 * An error carries a stable machine code (for `--json` and scripts) and a kind; src/cli/run.ts
 * alone turns the kind into an exit code (src/cli/exit-codes.ts). Services never know exit codes.
 */

/** What went wrong, in the terms the exit codes use (DESIGN §5). */
export type ErrorKind =
  | "failure"
  | "usage"
  | "check_failed"
  | "credential"
  | "not_found"
  | "conflict"
  | "pending"
  | "interrupted";

/**
 * Every machine code an error may carry, with the kinds it is thrown as. `intg help exit-codes
 * --json` prints this table; a code missing here fails the type check where it is thrown.
 */
export const ERROR_CODES = {
  AMBIGUOUS_CONNECTION: ["usage"],
  AMBIGUOUS_NAME: ["conflict"],
  AUDIT_CHAIN_BROKEN: ["check_failed"],
  AUDIT_HEAD_INVALID: ["credential"],
  AUDIT_HEAD_UNREADABLE: ["credential"],
  BACKUP_ALTERED: ["credential"],
  BACKUP_PASSPHRASE_WRONG: ["credential"],
  BACKUP_SECRETS_MALFORMED: ["credential"],
  BACKUP_SIGNATURE_INVALID: ["credential"],
  BACKUP_UNSIGNED: ["credential"],
  CANCELLED: ["failure"],
  CHECK_CREDENTIALS: ["credential"],
  CHECK_FAILED: ["check_failed"],
  CHECK_SKIPPED: ["check_failed"],
  CIPHERTEXT_INVALID: ["credential"],
  CIPHERTEXT_MALFORMED: ["credential"],
  CONFIG_INTEGRITY_FAILED: ["credential"],
  CONFLICT: ["conflict"],
  CONNECTION_DISABLED: ["conflict"],
  CONNECTION_EXISTS: ["conflict"],
  CONNECTION_NOT_FOUND: ["not_found"],
  CREDENTIAL_INVALID: ["credential"],
  CREDENTIAL_TYPE_MISMATCH: ["credential"],
  DATABASE_CREATE_FAILED: ["failure"],
  DATABASE_MISSING: ["failure"],
  DATABASE_UNAVAILABLE: ["failure"],
  DATE_OUT_OF_RANGE: ["usage"],
  DELIVERY_NOT_FOUND: ["not_found"],
  DURATION_TOO_LONG: ["usage"],
  EMPTY_SECRET: ["usage"],
  ENDPOINT_ALREADY_DISABLED: ["conflict"],
  ENDPOINT_ALREADY_ENABLED: ["conflict"],
  ENDPOINT_NOT_FOUND: ["not_found"],
  EVENT_NOT_FOUND: ["not_found"],
  EVENT_TYPE_EXISTS: ["conflict"],
  EVENT_TYPE_IN_USE: ["conflict"],
  EVENT_TYPE_NOT_FOUND: ["not_found"],
  EXPIRED: ["credential"],
  HTTP_ERROR: ["failure"],
  IDEMPOTENCY_KEY_REUSED: ["conflict"],
  IMPORT_PARTIAL: ["failure"],
  IMPORT_REJECTED: ["usage"],
  INSUFFICIENT_SCOPE: ["credential"],
  INTEGRITY_KEY_MISSING: ["credential"],
  INTERRUPTED: ["interrupted"],
  INVALID_BACKUP: ["usage"],
  INVALID_BATCH_LINE: ["usage"],
  INVALID_CONFIG: ["usage"],
  INVALID_CREDENTIAL: ["usage"],
  INVALID_DATE: ["usage"],
  INVALID_DURATION: ["usage"],
  INVALID_EVENT_FILTER: ["usage"],
  INVALID_EVENT_TYPE: ["usage"],
  INVALID_EXPIRY: ["usage"],
  INVALID_FILE: ["usage"],
  INVALID_HEADER: ["usage"],
  INVALID_IMPORT_FILE: ["usage"],
  INVALID_IMPORT_HEADER: ["usage"],
  INVALID_JQ: ["usage"],
  INVALID_JSON: ["usage"],
  INVALID_JSON_FIELD: ["usage"],
  INVALID_MAPPING: ["usage"],
  INVALID_NAME: ["usage"],
  INVALID_PROVIDER: ["usage"],
  INVALID_RATE: ["usage"],
  INVALID_RECORD: ["usage"],
  INVALID_REQUEST: ["usage"],
  INVALID_RESOURCE: ["usage"],
  INVALID_SCHEDULE: ["usage"],
  INVALID_SCHEMA: ["usage"],
  INVALID_TIMEOUT: ["usage"],
  INVALID_TOKEN_TYPE: ["usage"],
  INVALID_TRANSFORMATION: ["usage"],
  INVALID_URL: ["usage"],
  INVALID_UTF8: ["usage"],
  JQ_ERROR: ["failure"],
  JSON_TOO_DEEP: ["usage"],
  KEY_ALREADY_REVOKED: ["conflict"],
  KEY_ALREADY_ROTATED: ["conflict"],
  KEY_NOT_FOUND: ["not_found"],
  KEY_NOT_ROTATABLE: ["credential"],
  KEY_NOT_ROTATED: ["conflict"],
  MALFORMED: ["credential"],
  MAPPING_NOT_FOUND: ["not_found"],
  MASTER_KEY_FILE_INSECURE: ["credential"],
  MASTER_KEY_FILE_INVALID: ["credential"],
  MASTER_KEY_FILE_UNREADABLE: ["credential"],
  MASTER_KEY_LOCKED: ["conflict"],
  MASTER_KEY_LOCK_FAILED: ["failure"],
  MASTER_KEY_MALFORMED: ["usage"],
  MASTER_KEY_MISMATCH: ["credential"],
  MASTER_KEY_MISSING: ["credential"],
  MASTER_KEY_UNAVAILABLE: ["credential"],
  MIGRATIONS_PENDING: ["pending"],
  MIGRATION_FAILED: ["failure"],
  NOT_FOUND: ["credential"],
  NO_CREDENTIAL: ["credential"],
  NO_CREDENTIAL_TAKEN: ["usage"],
  NO_MAPPING: ["usage"],
  NO_PAGINATION: ["usage"],
  OAUTH_REFUSED: ["credential"],
  OUT_FOLDER_MISSING: ["usage"],
  OUT_IS_FOLDER: ["usage"],
  OUT_NOT_WRITABLE: ["usage"],
  PASSPHRASE_REQUIRED: ["usage"],
  PATH_OUTSIDE_BASE: ["usage"],
  PENDING: ["pending"],
  PLAN_CHANGED: ["conflict"],
  PORT_IN_USE: ["usage"],
  PRIVATE_ADDRESS: ["usage"],
  PROVIDER_DISABLED: ["conflict"],
  PROVIDER_EXISTS: ["conflict"],
  PROVIDER_NOT_FOUND: ["not_found"],
  REENCRYPTION_PENDING: ["pending"],
  REF_CONFLICT: ["conflict"],
  REF_NOT_FOUND: ["not_found"],
  REPLAY_FAILED: ["check_failed"],
  REQUEST_FAILED: ["failure"],
  REQUEST_TIMEOUT: ["failure"],
  RESTORE_CONFLICT: ["conflict"],
  REVOKED: ["credential"],
  ROTATION_IN_GRACE: ["conflict"],
  ROTATION_IN_PROGRESS: ["pending"],
  SCHEMA_MISMATCH: ["usage"],
  SECRET_IN_ARGUMENTS: ["usage"],
  SECRET_IN_USE: ["conflict"],
  SECRET_NOT_FOUND: ["not_found"],
  SHARE_LINK_ACTIVE: ["credential"],
  SHARE_LINK_EXPIRED: ["credential"],
  SHARE_LINK_NOT_FOUND: ["not_found"],
  SHARE_LINK_REVOKED: ["credential"],
  SHARE_LINK_USED_UP: ["credential"],
  SHARE_TOKEN_INVALID: ["credential"],
  SIGNATURE_INVALID: ["credential"],
  SYNC_BAD_LINK: ["failure"],
  SYNC_BAD_PAGE: ["failure"],
  SYNC_FAILED: ["failure"],
  SYNC_HTTP_ERROR: ["failure"],
  SYNC_RUNNING: ["conflict"],
  TEMPLATE_NOT_FOUND: ["not_found"],
  TOKEN_ENDPOINT_FAILED: ["failure"],
  TRANSFORMATION_FAILED: ["usage"],
  TRANSFORMATION_OVER_BUDGET: ["usage"],
  TYPE_REQUIRED: ["usage"],
  UNKNOWN_EVENT_TYPE: ["usage"],
  UNKNOWN_RESOURCE: ["usage"],
  UNRESOLVABLE_HOST: ["usage"],
  USAGE: ["usage"],
  WEAK_PASSPHRASE: ["usage"],
  WEBHOOKS_UNHEALTHY: ["check_failed"],
  WRITE_FAILED: ["failure"],
} as const satisfies Record<string, readonly ErrorKind[]>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error meant for the user: a complete sentence, a machine code for `--json`, its kind, and
 * optionally what to run next. Services throw these; src/cli/run.ts is the only place that turns
 * them into output and an exit code.
 */
export class IntgError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly kind: ErrorKind = "failure",
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad flags, arguments or input. Nothing was written. */
export class UsageError extends IntgError {
  constructor(message: string, hint?: string, code: ErrorCode = "USAGE") {
    super(code, message, "usage", hint);
  }
}

export class NotFoundError extends IntgError {
  constructor(message: string, hint?: string, code: ErrorCode = "NOT_FOUND") {
    super(code, message, "not_found", hint);
  }
}

export class ConflictError extends IntgError {
  constructor(message: string, hint?: string, code: ErrorCode = "CONFLICT") {
    super(code, message, "conflict", hint);
  }
}

export class CredentialError extends IntgError {
  constructor(message: string, hint?: string, code: ErrorCode = "CREDENTIAL_INVALID") {
    super(code, message, "credential", hint);
  }
}

/** A health gate failed; the result was printed and the exit code says so. */
export class CheckFailedError extends IntgError {
  constructor(message: string, code: ErrorCode = "CHECK_FAILED") {
    super(code, message, "check_failed");
  }
}

/** Something is not finished yet: migrations pending, a grace period still running. */
export class PendingError extends IntgError {
  constructor(message: string, hint?: string, code: ErrorCode = "PENDING") {
    super(code, message, "pending", hint);
  }
}

/** The database could not be reached or answered with an error. */
export class DatabaseError extends IntgError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }, code: ErrorCode = "DATABASE_UNAVAILABLE") {
    super(code, message, "failure", hint, options);
  }
}

/** SIGINT or SIGTERM stopped the work; what was not finished was not recorded. */
export class InterruptedError extends IntgError {
  constructor(message: string, hint?: string) {
    super("INTERRUPTED", message, "interrupted", hint);
  }
}

/** An error as it crosses a thread boundary (structured clone drops classes). */
export interface WireError {
  message: string;
  name?: string;
  code?: string;
  kind?: ErrorKind;
  hint?: string;
}

const CLASSES: Record<string, new (message: string) => IntgError> = {
  UsageError,
  NotFoundError,
  ConflictError,
  CredentialError,
  CheckFailedError,
  PendingError,
  DatabaseError,
  InterruptedError,
};

export function errorToWire(error: unknown): WireError {
  const e = error as { message?: string; name?: string; code?: unknown };
  const wire: WireError = { message: e?.message ?? String(error), name: e?.name };
  if (typeof e?.code === "string") wire.code = e.code;
  if (error instanceof IntgError) Object.assign(wire, { kind: error.kind, hint: error.hint });
  return wire;
}

/** Rebuilds an error sent across a thread, keeping its class, code, kind and hint. */
export function errorFromWire(wire: WireError): Error {
  if (wire.kind && wire.code && wire.code in ERROR_CODES) {
    const code = wire.code as ErrorCode;
    const known = wire.name ? CLASSES[wire.name] : undefined;
    const error = known ? new known(wire.message) : new IntgError(code, wire.message, wire.kind, wire.hint);
    return Object.assign(error, { code, kind: wire.kind, hint: wire.hint });
  }
  return Object.assign(new Error(wire.message), { name: wire.name ?? "Error", code: wire.code });
}
