import type { Insertable } from "kysely";
import type { ApiKeyVerification } from "../generated/kysely/types.js";
import type { Db } from "../kysely.js";
import { prepared } from "../prepared-run.js";

// Every statement on "ApiKeyVerification": verifications counted by key, outcome and time.

export type VerificationRow = Required<Insertable<ApiKeyVerification>>;

export const verificationInsert = prepared(
  ["id", "apiKeyId", "outcome", "count", "verifiedAt"],
  (db, p) => db.insertInto("ApiKeyVerification").values({ ...p }),
  { key: "api-key-verification.insert" },
);

/** One row per key and outcome per flush of the verifier (compiled once: a flush writes many). */
export async function insertVerification(db: Db, row: VerificationRow): Promise<void> {
  await verificationInsert.run(db, row);
}

/** Verifications by outcome within [since, until]. */
export async function verificationsByOutcome(db: Db, since: Date, until: Date): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("ApiKeyVerification")
    .select((eb) => ["outcome", eb.fn.sum<string | number>("count").as("n")])
    .where("verifiedAt", ">=", since)
    .where("verifiedAt", "<=", until)
    .groupBy("outcome")
    .execute();
  return new Map(rows.map((r) => [r.outcome, Number(r.n)]));
}
