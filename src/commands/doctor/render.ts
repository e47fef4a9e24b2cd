import type { CommandContext } from "../../cli/context.js";
import type { DoctorCheck, DoctorCheckStatus } from "../../types/doctor.types.js";

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
