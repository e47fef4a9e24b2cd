import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CredentialError } from "../../errors.js";
import { writePrivateFile } from "../../lib/private-file.js";
import type { ServiceContext } from "../context.js";
import { keyFilePath } from "../secrets/master-key.js";

// The audit chain's head kept outside the database: `audit.head` beside the embedded database's
// key file, or the file INTG_AUDIT_HEAD_FILE names for any database. A database writer can delete
// the newest events, or empty the table, but cannot move this file back; `audit verify` then finds
// the log shorter than its head, or the head's event changed.
//
//   {"version":1,"seq":42,"hash":"k1:…","id":"aud_…"}

export const HEAD_FILE_NAME = "audit.head";
export const HEAD_FILE_ENV = "INTG_AUDIT_HEAD_FILE";

export interface AuditHead {
  seq: number;
  hash: string;
  id: string;
}

export function headFilePath(ctx: {
  db: Pick<ServiceContext["db"], "target">;
  env: ServiceContext["env"];
}): string | null {
  const configured = ctx.env[HEAD_FILE_ENV]?.trim();
  if (configured) return configured;
  const keyFile = keyFilePath(ctx.db.target);
  return keyFile ? join(dirname(keyFile), HEAD_FILE_NAME) : null;
}

export function readHeadFile(path: string): AuditHead | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CredentialError(
      `The audit head file ${path} cannot be read: ${(error as Error).message}.`,
      undefined,
      "AUDIT_HEAD_UNREADABLE",
    );
  }
  const h = (() => {
    try {
      return JSON.parse(text) as Partial<AuditHead> & { version?: unknown };
    } catch {
      return undefined;
    }
  })();
  if (h?.version !== 1 || !Number.isInteger(h.seq) || typeof h.hash !== "string" || typeof h.id !== "string") {
    throw new CredentialError(
      `The audit head file ${path} is not valid.`,
      "Restore it from a backup, or compare `intg audit head` with a copy you keep.",
      "AUDIT_HEAD_INVALID",
    );
  }
  return { seq: h.seq!, hash: h.hash, id: h.id };
}

/** Replaces the head file atomically, owner-only. */
export function writeHeadFile(path: string, head: AuditHead): void {
  writePrivateFile(path, JSON.stringify({ version: 1, ...head }) + "\n");
}

/** `<seq>:<hash>`, as `audit head` prints it and `--expect-head` takes it. */
export function formatHead(h: Pick<AuditHead, "seq" | "hash">): string {
  return `${h.seq}:${h.hash}`;
}
