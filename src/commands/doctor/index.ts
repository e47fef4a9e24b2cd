import type { Command } from "commander";
import { parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { CheckFailedError, CredentialError } from "../../errors.js";
import { runDoctor } from "../../services/doctor/run.js";
import { intgCommand } from "../../cli/db-hint.js";
import { renderChecks } from "./render.js";
import { examples } from "../examples.js";
import { jsonFields } from "../../cli/json-fields.js";
import { DOCTOR_CHECK_FIELDS } from "../../types/database.fields.js";

interface DoctorFlags {
  expiringWithin: string;
  maxBacklogAge: string;
  stalledAfter: string;
  check?: boolean;
  timeout: string;
}

const HELP = `
Checks, in order: database (reachable, migrations current), master-key (at hand, and opening a
sample under each key id), audit-chain, keys-expiring, key-rotations (still in grace),
webhook-endpoints (disabled or failing), webhook-backlog (age, stalled leases), connections (from
their last check, or now with --check) and sync-jobs (stalled). Each prints pass (✓), warn (!) or
fail (✗) with a reason and the command that fixes it.

Exit codes: 0 nothing failed (warnings allowed), 3 a check failed, 4 a credential or the master
key is the cause. With --json: one object per check, {name, status, reason, fix, credential}.`;

export function registerDoctor(doctor: Command, context: ContextFactory): void {
  jsonFields(doctor, DOCTOR_CHECK_FIELDS)
    .description("Check the whole installation at once (the CI gate): exits 3 when a check fails, 4 for a credential")
    .option("--expiring-within <duration>", "warn about active keys expiring within this time", "7d")
    .option("--max-backlog-age <duration>", "how long the oldest undelivered delivery may wait", "5m")
    .option("--stalled-after <duration>", "a running sync job with no checkpoint for this long is stalled", "10m")
    .option("--check", "run every connection's health request now, rather than reading its last check")
    .option("--timeout <duration>", "with --check: how long each provider has to answer", "5s")
    .addHelpText("after", HELP)
    .addHelpText(
      "after",
      examples([
        ["Check the whole installation", "intg doctor"],
        ["In CI, warning about keys that expire within 30 days", "intg doctor --json --expiring-within 30d"],
        [
          "A shared database, running every connection's health check now",
          "intg --db postgresql://intg@db.internal/intg doctor --check --timeout 2s",
        ],
      ]),
    )
    .action(async (flags: DoctorFlags, cmd: Command) => {
      const ctx = context(cmd);
      const input = {
        expiringWithinMs: parseDurationFlag("--expiring-within", flags.expiringWithin),
        maxBacklogAgeMs: parseDurationFlag("--max-backlog-age", flags.maxBacklogAge),
        stalledAfterMs: parseDurationFlag("--stalled-after", flags.stalledAfter),
        checkConnections: Boolean(flags.check),
        checkTimeoutMs: parseDurationFlag("--timeout", flags.timeout),
        signal: ctx.deps.signal,
      };
      const target = ctx.target();
      const checks = (await runDoctor(target, () => ctx.services(), input)).map((c) => ({
        ...c,
        fix: c.fix === null ? null : intgCommand(target, c.fix),
      }));
      if (ctx.out.json) ctx.out.printJson(checks);
      else renderChecks(ctx, checks);
      const failed = checks.filter((c) => c.status === "fail");
      if (failed.length === 0) return;
      const message = `${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join(", ")}.`;
      // A credential or the master key needs a person with the secret, not a rerun: 4 before 3.
      if (failed.some((c) => c.credential)) throw new CredentialError(message, undefined, "CHECK_CREDENTIALS");
      throw new CheckFailedError(message);
    });
}
