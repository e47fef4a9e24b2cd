// A real PrismaClient over Prisma's driver adapters, as an app that embeds intg builds one. The CLI
// never loads Prisma's client; tests use it to prove that what intg writes Prisma reads, and the
// other way round, and to run intg's services inside an app's prisma.$transaction.
import type { PrismaClient } from "../../src/db/generated/sqlite/client.js";
import type { DbTarget } from "../../src/db/url.js";

/** Both providers generate clients of the same shape from the same models (a test proves it). */
export type Prisma = PrismaClient;

export async function createPrismaClient(target: DbTarget): Promise<Prisma> {
  if (target.provider === "sqlite") {
    const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
      import("../../src/db/generated/sqlite/client.js"),
      import("@prisma/adapter-better-sqlite3"),
    ]);
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: target.file!, timeout: 5000 }) });
  }
  const [{ PrismaClient }, { PrismaPg }] = await Promise.all([
    import("../../src/db/generated/postgresql/client.js"),
    import("@prisma/adapter-pg"),
  ]);
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: target.url }) }) as unknown as Prisma;
}
