import { IntgError } from "../../errors.js";
import type { DbTarget } from "../../db/url.js";
import type { DoctorCheck } from "../../types/doctor.types.js";
import { getDatabaseStatus } from "../db/status.js";
import { fail, few, pass, plural, warn } from "./finding.js";

/**
 * Reachable, and its migrations current (`db status`'s service). The embedded database has
 * migrated itself by the time this runs (`open` first), as on every command.
 */
export async function checkDatabase(target: DbTarget, open: () => Promise<unknown>): Promise<DoctorCheck> {
  let status: Awaited<ReturnType<typeof getDatabaseStatus>>;
  try {
    if (target.embedded) await open();
    status = await getDatabaseStatus(target);
  } catch (error) {
    if (!(error instanceof IntgError)) throw error;
    const reason = `${target.redacted} cannot be used: ${error.message}${error.hint ? ` ${error.hint}` : ""}`;
    return fail("database", reason, null);
  }
  const where = `${status.provider} ${status.url}`;
  if (status.pending.length > 0) {
    const which = few(status.pending);
    return fail("database", `${where}: ${plural(status.pending.length, "migration")} pending (${which})`, "db migrate");
  }
  const applied = plural(status.applied.length, "migration");
  if (status.drifted.length > 0) {
    const reason = `${where}: applied migrations this intg does not know (${status.drifted.join(", ")}): a newer intg?`;
    return warn("database", reason, "db status");
  }
  return pass("database", `${where}: reachable, ${applied} applied, none pending`);
}
