import type { DoctorCheck } from "../../types/doctor.types.js";
import { verifyAuditChain } from "../audit/verify.js";
import type { ServiceContext } from "../context.js";
import { fail, pass, plural, warn } from "./finding.js";

/** `audit verify`'s walk: every link recomputed, and the head kept outside the database reached. */
export async function checkAuditChain(ctx: ServiceContext): Promise<DoctorCheck> {
  const report = await verifyAuditChain(ctx);
  if (!report.ok) {
    const at = report.firstBad!;
    const reason = `broken at event #${at.seq}${at.id ? ` (${at.id})` : ""}: ${at.reason}`;
    return fail("audit-chain", reason, "audit verify");
  }
  const events = plural(report.checked, "event");
  if (report.checked > 0 && !report.keyed)
    return warn("audit-chain", `${events} intact, but not keyed yet: a database writer could rewrite them`, null);
  if (report.unsealedTail > 0)
    return warn(
      "audit-chain",
      `the newest ${plural(report.unsealedTail, "event")} were written without the master key`,
      null,
    );
  const anchored = report.anchors.length > 0 ? ", reaching its recorded head" : "";
  return pass("audit-chain", report.checked === 0 ? "no events yet" : `${events} intact${anchored}`);
}
