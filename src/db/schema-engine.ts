// Prisma's schema engine, compiled to WebAssembly, run in-process over a driver adapter: the native
// engine cannot be downloaded here (DESIGN §4). Loading it costs ~150 ms, so only migrating and
// diffing import this module, always dynamically.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type * as Glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { postgresFactory, sqliteFactory } from "./schema-engine-adapters.js";
import type { Provider } from "./url.js";

export type { MigrationList, SchemaEngine };

export interface SchemaEngineHandle {
  engine: SchemaEngine;
  /** One readable line or two for an engine failure: the driver's own error, no Rust span trace. */
  describeError(error: unknown): string;
  /** Frees the engine and closes every connection it opened, shadow databases included. */
  close(): Promise<void>;
}

// The compiler's ES2023 lib (no DOM) declares no WebAssembly; these are the two calls used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
};

let glue: Promise<typeof Glue> | undefined;
let opened = 0;

/** How often this process loaded the WASM and opened an engine: tests check the cheap paths stay cheap. */
export function schemaEngineStats(): { wasmLoaded: boolean; enginesOpened: number } {
  return { wasmLoaded: glue !== undefined, enginesOpened: opened };
}

/**
 * The package entry imports the .wasm as an ES module, which Node 20 refuses; so compile the .wasm
 * ourselves and hand it to the wasm-bindgen glue, as that entry would have.
 */
function loadGlue(): Promise<typeof Glue> {
  glue ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    // A path, not a file URL: the bundle turns import() into require(), which takes paths only.
    const mod = (await import(gluePath)) as typeof Glue;
    const wasm = new WebAssembly.Module(readFileSync(join(dirname(gluePath), "schema_engine_bg.wasm")));
    const instance = new WebAssembly.Instance(wasm, { "./schema_engine_bg.js": withUnrefTimers(mod) });
    mod.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return mod;
  })();
  return glue;
}

/**
 * Opens an engine on `url` (for SQLite a file path or ":memory:"). `datamodel` is the Prisma schema
 * the engine starts with; it only matters to commands that read the schema (diffs name theirs).
 */
export async function openSchemaEngine(
  provider: Provider,
  url: string,
  datamodel: { path: string; content: string },
): Promise<SchemaEngineHandle> {
  const [mod, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    loadGlue(),
    import("@prisma/driver-adapter-utils"),
  ]);
  const connections = new Set<SqlDriverAdapter>();
  const factory = provider === "sqlite" ? await sqliteFactory(url) : await postgresFactory(url);
  // Every connection the engine opens is tracked, so close() releases them even if it did not.
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => track(connections, await factory.connect()),
    connectToShadowDb: async () => track(connections, await factory.connectToShadowDb()),
  };
  const bound = bindMigrationAwareSqlAdapterFactory(tracked);
  // The engine's log lines repeat what its errors say; failures are reported through describeError.
  const engine = await mod.SchemaEngine.new(
    { datamodels: [[datamodel.path, datamodel.content]] },
    () => undefined,
    bound,
  );
  opened++;
  let closed = false;
  return {
    engine,
    describeError: (error) => describe(error, (id) => bound.errorRegistry.consumeError(id)?.error),
    async close() {
      if (closed) return;
      closed = true;
      engine.free();
      for (const c of [...connections]) await c.dispose().catch(() => undefined);
    },
  };
}

/**
 * Engine errors carry a Rust span trace after the message, and name a driver failure only as
 * "External error id#N", an index into the adapter's error registry; this keeps the message,
 * substitutes the driver's error and names the migration the trace mentions.
 */
function describe(error: unknown, driverError: (id: number) => unknown): string {
  const raw = typeof error === "string" ? error : String((error as { message?: unknown })?.message ?? error);
  const migration = /migration_name="([^"]+)"/.exec(raw)?.[1];
  const text = raw
    .split(/\n\s+\d+: /)[0]!
    .replace(/External error id#(\d+)/g, (whole, id: string) => {
      const cause = driverError(Number(id)) as { message?: string; cause?: { originalMessage?: string } } | undefined;
      return cause?.cause?.originalMessage ?? cause?.message ?? whole;
    })
    .replace(/^Error:\s*|external connector error\s*/gi, "")
    .trim();
  return migration && !text.includes(migration) ? `migration ${migration}: ${text}` : text;
}

/** Makes dispose idempotent and forgets the connection once disposed. */
function track(connections: Set<SqlDriverAdapter>, adapter: SqlDriverAdapter): SqlDriverAdapter {
  const dispose = adapter.dispose.bind(adapter);
  let done: Promise<void> | undefined;
  adapter.dispose = () => (done ??= dispose().finally(() => connections.delete(adapter)));
  connections.add(adapter);
  return adapter;
}

/**
 * The SQL that takes a database from `migrations` (null: an empty database) to `schemaText`, or ""
 * when there is nothing to do. Replaying migrations needs a shadow database: `:memory:` for
 * SQLite, a fresh database on the server `url` names for PostgreSQL.
 */
export async function diffToSchema(
  provider: Provider,
  url: string,
  migrations: MigrationList | null,
  schemaText: string,
): Promise<string> {
  const datamodel = { path: "schema.prisma", content: schemaText };
  const handle = await openSchemaEngine(provider, url, datamodel);
  try {
    const result = await handle.engine.diff({
      from: migrations ? { tag: "migrations", ...migrations } : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [datamodel] },
      script: true,
      exitCode: true, // 2 when the diff is not empty
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.exitCode === 2 ? (result.stdout ?? "") : "";
  } catch (error) {
    throw new Error(handle.describeError(error), { cause: error });
  } finally {
    await handle.close();
  }
}

/**
 * The engine arms timers (PostgreSQL's idle connections) through the glue's setTimeout, and
 * nothing of ours can clear them: a finished `intg db migrate` would wait ten seconds to exit.
 * Its timers are unref'd instead, so they never keep the process alive.
 */
function withUnrefTimers(mod: object): object {
  const imports: Record<string, unknown> = { ...mod };
  for (const name of Object.keys(imports)) {
    if (!name.startsWith("__wbg_setTimeout_")) continue;
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  return imports;
}
