import { createRequire } from "node:module";
import Database from "better-sqlite3";

// better-sqlite3's JavaScript is bundled into the CLI (a dozen small CommonJS files less to
// resolve at every start-up), and it is told where its addon is, which skips the `bindings`
// package's search of a dozen candidate paths.
let nativeBinding: string | undefined;

export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  if (nativeBinding === undefined) {
    try {
      nativeBinding = createRequire(import.meta.url).resolve("better-sqlite3/build/Release/better_sqlite3.node");
    } catch {
      nativeBinding = ""; // an unusual build layout: let better-sqlite3 search for it
    }
  }
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
