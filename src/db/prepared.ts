import type { Compilable } from "kysely";
import { type Db, prepare, type Prepared } from "./kysely.js";
import type { SqlClient } from "./sql.js";

type Provider = SqlClient["provider"];

/**
 * A statement for a hot path, compiled on its first use on each provider and kept: the module that
 * owns it declares it once, and callers pass the provider with the values.
 */
export function preparedPerProvider<R, P extends string>(
  names: readonly P[],
  build: (db: Db, p: Readonly<Record<P, never>>) => Compilable<R>,
): (provider: Provider) => Prepared<R, P> {
  const made = new Map<Provider, Prepared<R, P>>();
  return (provider) => {
    let p = made.get(provider);
    if (!p) made.set(provider, (p = prepare(provider, names, build)));
    return p;
  };
}

export type { Db, Provider };
