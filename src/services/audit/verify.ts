import { CredentialError, UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { auditEventsFrom } from "../../db/queries/audit-event.js";
import type { ServiceContext } from "../context.js";
import { readIntegrity } from "../integrity/root.js";
import { isKeyed, linkMatches } from "./chain.js";
import { formatHead, headFilePath, readHeadFile, type AuditHead } from "./head-file.js";
import { chainedFields } from "./head.js";

export interface AuditAnchorCheck {
  source: "head-file" | "expect-head";
  seq: number;
  hash: string;
  ok: boolean;
}

export interface AuditChainReport {
  ok: boolean;
  /** Events checked, in order. */
  checked: number;
  /** The first event that does not fit the chain, and why; null when the chain is whole. */
  firstBad: { id: string | null; seq: number; reason: string } | null;
  /** Whether the chain is keyed (from `keyedFromSeq` on): only then can a database writer not recompute it. */
  keyed: boolean;
  keyedFromSeq: number | null;
  /** Events after the newest keyed one (written without a master key): not yet covered by a MAC. */
  unsealedTail: number;
  /** The newest event, as `audit head` prints it. */
  head: string | null;
  anchors: AuditAnchorCheck[];
}

const PAGE = 1000;

/** `<seq>:<hash>` from --expect-head. */
export function parseHead(text: string): Pick<AuditHead, "seq" | "hash"> {
  const m = /^(\d+):(.+)$/.exec(text.trim());
  if (!m)
    throw new UsageError(
      `--expect-head: "${text}" is not <seq>:<hash>.`,
      "Use what `intg audit head` printed, e.g. 42:k1:3f9c…",
    );
  return { seq: Number(m[1]), hash: m[2]! };
}

/**
 * Walks the log in order and recomputes every link: an edited event no longer matches, a deleted
 * one leaves a gap and a broken link, an inserted one a duplicate link. Keyed links need the audit
 * key, which nobody without the master key can use to recompute a rewritten chain; the event where
 * the chain became keyed must be there and keyed; and the log must reach every head kept outside
 * it (the head file, --expect-head), so emptying it or cutting its tail shows.
 */
export async function verifyAuditChain(
  ctx: ServiceContext,
  options: { expectHead?: Pick<AuditHead, "seq" | "hash"> } = {},
): Promise<AuditChainReport> {
  const state = await readIntegrity(ctx);
  if (state.kind === "locked") {
    throw new CredentialError(
      "The audit log is keyed under the master key, which is not at hand: it cannot be verified.",
      "Set INTG_MASTER_KEY.",
      "MASTER_KEY_MISSING",
    );
  }
  const keys = state.kind === "open" ? state.keys : null;
  const report: AuditChainReport = {
    ok: true,
    checked: 0,
    firstBad: null,
    keyed: keys !== null,
    keyedFromSeq: keys?.keyedFromSeq ?? null,
    unsealedTail: 0,
    head: null,
    anchors: [],
  };
  const fail = (seq: number, id: string | null, reason: string): AuditChainReport => ({
    ...report,
    ok: false,
    firstBad: { id, seq, reason },
  });
  let expectedSeq = 1;
  let prevHash: string | null = null;
  const hashes = new Map<number, string>();
  const anchors = anchorsOf(ctx, options.expectHead);
  for (;;) {
    const rows = await auditEventsFrom(typed(ctx.sql), expectedSeq, PAGE);
    for (const r of rows) {
      const seq = r.seq;
      if (seq !== expectedSeq) return fail(expectedSeq, null, `event #${expectedSeq} is missing (the next is #${seq})`);
      if ((r.prevHash ?? null) !== prevHash) return fail(seq, r.id, "its link to the previous event does not match");
      if (isKeyed(r.hash) && !keys)
        return fail(seq, r.id, "it is keyed, but the database holds no integrity key (deleted?)");
      if (keys && seq === keys.keyedFromSeq && !isKeyed(r.hash))
        return fail(seq, r.id, "the chain became keyed here, but this event is not (rewritten)");
      if (!linkMatches(chainedFields(r), r.hash, keys?.audit ?? null))
        return fail(seq, r.id, "its content does not match its hash (edited)");
      if (anchors.some((a) => a.seq === seq)) hashes.set(seq, r.hash);
      report.unsealedTail = isKeyed(r.hash) ? 0 : report.unsealedTail + 1;
      report.head = formatHead({ seq, hash: r.hash });
      prevHash = r.hash;
      expectedSeq++;
      report.checked++;
    }
    if (rows.length < PAGE) break;
  }
  if (!keys) report.unsealedTail = 0;
  const last = expectedSeq - 1;
  if (keys && last < keys.keyedFromSeq)
    return fail(
      keys.keyedFromSeq,
      null,
      `the chain became keyed at event #${keys.keyedFromSeq}, but the log ends at #${last} (emptied or cut)`,
    );
  for (const a of anchors) {
    a.ok = hashes.get(a.seq) === a.hash;
    report.anchors.push(a);
  }
  const broken = report.anchors.find((a) => !a.ok);
  if (broken) {
    const where = broken.source === "head-file" ? "the head kept outside the database" : "--expect-head";
    const why =
      broken.seq > last
        ? `the log ends at #${last}, before event #${broken.seq} recorded by ${where} (its newest events were deleted)`
        : `event #${broken.seq} is not the one recorded by ${where} (rewritten)`;
    return fail(Math.min(broken.seq, last + 1), null, why);
  }
  return report;
}

function anchorsOf(ctx: ServiceContext, expect: Pick<AuditHead, "seq" | "hash"> | undefined): AuditAnchorCheck[] {
  const out: AuditAnchorCheck[] = [];
  const path = headFilePath(ctx);
  const stored = path ? readHeadFile(path) : undefined;
  if (stored) out.push({ source: "head-file", seq: stored.seq, hash: stored.hash, ok: false });
  if (expect) out.push({ source: "expect-head", seq: expect.seq, hash: expect.hash, ok: false });
  return out;
}
