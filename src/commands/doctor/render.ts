import type { CommandContext } from "../../cli/context.js";
import type { DoctorCheck, DoctorCheckStatus } from "../../types/doctor.types.js";

/**
 * `intg <words>` as it runs against the database this invocation used: a `--db` given on the
 * command line is repeated (redacted: a password never reaches a log), an environment variable
 * is inherited by the next command anyway.
 */
export function withDbFlag(target: { source: string; redacted: string }, words: string): string {
  return target.source === "--db" ? `intg --db ${shellWord(target.redacted)} ${words}` : `intg ${words}`;
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_\-.,:/@=+%]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

const MARK: Record<DoctorCheckStatus, string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };

/** A line per check: its mark, its name, the reason; the fix indented under it. */
export function renderChecks(ctx: CommandContext, checks: readonly DoctorCheck[]): void {
  const c = ctx.out.color;
  const paint: Record<DoctorCheckStatus, (s: string) => string> = {
    pass: c.green,
    warn: c.yellow,
    fail: c.red,
    skip: c.dim,
  };
  const width = Math.max(...checks.map((k) => k.name.length));
  for (const check of checks) {
    ctx.out.print(`${paint[check.status](MARK[check.status])} ${check.name.padEnd(width)}  ${check.reason}`);
    if (check.fix) ctx.out.print(`  ${" ".repeat(width)}  ${c.dim("fix:")} ${check.fix}`);
  }
}
