import { type Compilable, PostgresAdapter } from "kysely";
import { type Db, type Prepared, prepare } from "./kysely.js";
import type { SqlClient } from "./sql.js";

/** The provider a typed instance runs on, read from its dialect. */
export function providerOf(db: Db): SqlClient["provider"] {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgresql" : "sqlite";
}

/**
 * A statement of a per-table module that runs once per row of a loop (a sync page's records, a
 * check's connections): compiled on first use for each provider, then only run with new values.
 */
export function preparedOnce<R, P extends string>(
  names: readonly P[],
  build: (db: Db, p: Readonly<Record<P, never>>) => Compilable<R>,
): (db: Db) => Prepared<R, P> {
  const byProvider = new Map<SqlClient["provider"], Prepared<R, P>>();
  return (db) => {
    const provider = providerOf(db);
    let p = byProvider.get(provider);
    if (!p) byProvider.set(provider, (p = prepare(provider, names, build)));
    return p;
  };
}
