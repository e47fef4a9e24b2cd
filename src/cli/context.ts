import type { Database } from "../db/client.js";
import type { ServiceContext } from "../services/context.js";
import { resolveDbTarget, type DbTarget } from "../db/url.js";
import { nodeOs } from "../lib/lazy-builtins.js";
import { headSyncPending } from "../services/audit/head-pending.js";
import { IntgError } from "../errors.js";
import type { Deps, GlobalOptions } from "./deps.js";
import type { JqFilter } from "./json-filter.js";
import { Output, type StyleFactory } from "./output.js";
import { waitStatus } from "./wait-status.js";

/**
 * What a command's action receives: the dependencies, the global flags, an output helper, and a
 * database that is only opened when a command first asks for it (so --help and usage errors
 * never touch it). run.ts closes it after the command.
 */
export class CommandContext {
  readonly out: Output;
  #target?: DbTarget;
  #db?: Promise<Database>;

  constructor(
    readonly deps: Deps,
    readonly globals: GlobalOptions,
    style?: StyleFactory,
    jq?: JqFilter,
  ) {
    this.out = new Output(deps.io, deps.env, globals, style, { now: () => this.now(), jq });
  }

  now(): Date {
    return this.deps.now();
  }

  /**
   * Prints what exists this once (a new key, a signing secret, a share token): under --json the
   * whole result, otherwise the secret's text alone. Its reader gone before it was written
   * (`| head -c 0`) ended the command with exit 0 and the secret lost; now the command fails
   * (exit 1) with `lost`, which says what was made and how to undo it.
   */
  printShownOnce(result: unknown, secret: string, lost: string): void {
    this.deps.finishOnClosedPipe?.();
    if (this.out.json) this.out.printJson(result, { shownOnce: true });
    else this.out.print(secret);
    if (this.deps.stdoutLost?.()) throw new IntgError("WRITE_FAILED", `${lost} It is shown only once.`, "failure");
  }

  target(): DbTarget {
    this.#target ??= resolveDbTarget(this.globals.db, this.deps.env, this.deps.cwd);
    return this.#target;
  }

  /** The migrated database. The embedded default migrates itself; any other must be current. */
  db(): Promise<Database> {
    const target = this.target();
    this.#db ??= this.deps.openDatabase(target, { autoMigrate: target.embedded });
    return this.#db;
  }

  /** Who is acting, for the audit log: INTG_ACTOR, else the OS user. */
  actor(): string {
    const env = this.deps.env;
    if (env.INTG_ACTOR) return env.INTG_ACTOR;
    if (env.USER || env.LOGNAME) return (env.USER || env.LOGNAME)!;
    try {
      return nodeOs().userInfo().username;
    } catch {
      return "unknown";
    }
  }

  /** The context services take: the open database, the clock, the actor. */
  async services(): Promise<ServiceContext> {
    const db = await this.db();
    const onWait = waitStatus(this.deps, this.globals);
    // The actor is only asked for what writes the audit log; finding the OS user reads the
    // user database (a key verification that succeeds never needs it).
    let who: string | undefined;
    const actor = () => (who ??= this.actor());
    return {
      db,
      sql: db.sql,
      now: () => this.now(),
      get actor() {
        return actor();
      },
      env: this.deps.env,
      onWait,
    };
  }

  async close(): Promise<void> {
    const db = this.#db;
    // An audit event committed inside a service's transaction moves the head kept outside the
    // database once the command is done; a failure here leaves the old head, never a wrong one.
    if (db && headSyncPending())
      await this.services()
        .then(async (ctx) => (await import("../services/audit/head.js")).syncAuditHead(ctx))
        .catch(() => undefined);
    this.#db = undefined;
    if (db)
      await db.then(
        (d) => d.close(),
        () => undefined,
      );
  }
}
