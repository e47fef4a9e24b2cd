import { IntgError } from "../../errors.js";
import type { DoctorCheck, DoctorCheckName } from "../../types/doctor.types.js";

// What every doctor check builds its result with. A finding's `fix` is the words after `intg`
// (`db migrate`): the command adds the invocation's own `--db`, which the services never see.

export const pass = (name: DoctorCheckName, reason: string): DoctorCheck => ({
  name,
  status: "pass",
  reason,
  fix: null,
  credential: false,
});

export const warn = (name: DoctorCheckName, reason: string, fix: string | null): DoctorCheck => ({
  name,
  status: "warn",
  reason,
  fix,
  credential: false,
});

export const fail = (name: DoctorCheckName, reason: string, fix: string | null, credential = false): DoctorCheck => ({
  name,
  status: "fail",
  reason,
  fix,
  credential,
});

export const skip = (name: DoctorCheckName): DoctorCheck => ({
  name,
  status: "skip",
  reason: "not run: the database check failed",
  fix: null,
  credential: false,
});

/** "a, b, c and 4 more": a reason names a few of `total`, never a whole table. */
export function few(items: readonly string[], total = items.length, shown = 3): string {
  const head = items.slice(0, shown);
  const more = total - head.length;
  return more > 0 ? `${head.join(", ")} and ${more} more` : head.join(", ");
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Runs one check so that its error becomes its own failure and the others still run: a doctor that
 * stops at the first problem hides the rest. A credential error, or anything about the master key,
 * fails as a credential (exit 4).
 */
export async function guarded(name: DoctorCheckName, run: () => Promise<DoctorCheck>): Promise<DoctorCheck> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof IntgError && error.kind === "interrupted") throw error; // Ctrl-C ends the doctor, not a check
    if (!(error instanceof IntgError)) {
      const message = error instanceof Error ? error.message : String(error);
      return fail(name, `the check itself failed: ${message}`, null);
    }
    const credential = error.kind === "credential" || error.code.startsWith("MASTER_KEY");
    return fail(name, error.hint ? `${error.message} ${error.hint}` : error.message, null, credential);
  }
}
