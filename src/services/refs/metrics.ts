import type { ReferenceMetrics } from "../../types/integration/external-reference.types.js";
import type { ServiceContext } from "../context.js";

const DAY = 86_400_000;

/** Counts over every reference: per connection and entity type, orphans, remote deletions, daily growth. */
export async function referenceMetrics(ctx: ServiceContext, input: { days: number }): Promise<ReferenceMetrics> {
  const now = ctx.now();
  const sql = ctx.sql;
  const counts = await sql.all<{ connectionId: string; connectionName: string; entityType: string; count: unknown }>(
    `SELECT r."connectionId", c."name" AS "connectionName", r."entityType", COUNT(*) AS "count" FROM "ExternalReference" r JOIN "IntegrationConnection" c ON c."id" = r."connectionId" GROUP BY r."connectionId", c."name", r."entityType" ORDER BY r."connectionId", r."entityType"`,
  );
  const totals = await sql.get<{ total: unknown; remoteDeleted: unknown }>(`SELECT COUNT(*) AS "total", COALESCE(SUM(CASE WHEN "remoteDeleted" THEN 1 ELSE 0 END), 0) AS "remoteDeleted" FROM "ExternalReference"`);
  // An orphan: no mapping of its provider (for every connection, or for its own) covers its types.
  const orphans = await sql.get<{ n: unknown }>(
    `SELECT COUNT(*) AS "n" FROM "ExternalReference" r JOIN "IntegrationConnection" c ON c."id" = r."connectionId"
     WHERE NOT EXISTS (SELECT 1 FROM "IntegrationMapping" m WHERE m."providerId" = c."providerId" AND (m."connectionId" IS NULL OR m."connectionId" = r."connectionId") AND m."entityType" = r."entityType" AND m."externalType" = r."externalType")`,
  );
  const day = sql.provider === "sqlite" ? `substr(r."createdAt", 1, 10)` : `to_char(r."createdAt", 'YYYY-MM-DD')`;
  const since = new Date(Math.floor(now.getTime() / DAY) * DAY - (input.days - 1) * DAY);
  const growth = await sql.all<{ day: string; created: unknown }>(`SELECT ${day} AS "day", COUNT(*) AS "created" FROM "ExternalReference" r WHERE r."createdAt" >= ? GROUP BY ${day} ORDER BY 1`, [since]);
  return {
    generatedAt: now.toISOString(),
    total: Number(totals?.total ?? 0),
    counts: counts.map((c) => ({ connectionId: c.connectionId, connectionName: c.connectionName, entityType: c.entityType, count: Number(c.count) })),
    orphans: Number(orphans?.n ?? 0),
    remoteDeleted: Number(totals?.remoteDeleted ?? 0),
    growth: growth.map((g) => ({ day: g.day, created: Number(g.created) })),
  };
}
