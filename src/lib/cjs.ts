import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

// better-sqlite3 is loaded with require() rather than import (Node then skips its CJS export
// scanner), and told where its addon is, which skips the `bindings` package's search of a dozen
// candidate paths. Both are milliseconds on every start-up.
const requireCjs = createRequire(import.meta.url);

let nativeBinding: string | undefined;

export function openSqlite(file: string, options: BetterSqlite3.Options = {}): BetterSqlite3.Database {
  const Database = requireCjs("better-sqlite3") as typeof BetterSqlite3;
  if (nativeBinding === undefined) {
    try {
      nativeBinding = requireCjs.resolve("better-sqlite3/build/Release/better_sqlite3.node");
    } catch {
      nativeBinding = ""; // an unusual build layout: let better-sqlite3 search for it
    }
  }
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
