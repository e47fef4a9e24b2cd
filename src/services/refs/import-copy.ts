import type { Writable } from "node:stream";
import { typed } from "../../db/kysely.js";
import { copyIntoReferences, referenceCopyText, savepoint } from "../../db/queries/external-reference/copy.js";
import { copyIntoStage, copyText, createStage } from "../../db/queries/external-reference/stage.js";
import type { SqlClient } from "../../db/sql.js";
import type { ImportRow } from "./import-rows.js";

// The import's COPYs on PostgreSQL (one ImportStage per transaction). Rows go through COPY …
// FROM STDIN into a staging table and are merged into the references every MERGE_EVERY rows, in
// the background: while the server merges, the next rows are read, checked and turned into COPY
// text (up to AHEAD of them), so the import's own work overlaps the server's.
// First, though, rows are COPYed straight into the references, DIRECT_EVERY rows per savepoint:
// a fresh load then costs what COPY costs. The first row that hits an existing reference fails
// that COPY; its savepoint is rolled back and its rows, kept as staging text, take the staging
// path, as does the rest of the transaction. Memory stays bounded by these counts.

export interface StagedBatch {
  rows: ImportRow[];
  ids: string[];
}
/** Merges the rows staged so far; for a batch whose rows are reported, reports each one. */
export type Merge = (staged: number, batch?: StagedBatch) => Promise<void>;
/** The direct path: the clock, the actor, and what to do with the count of rows it inserted. */
export interface Direct {
  now(): Date;
  actor: string;
  inserted(rows: number): void;
}

const MERGE_EVERY = 10_000; // its sort fits PostgreSQL's default work_mem (4 MB)
const AHEAD = 10_000;
const DIRECT_EVERY = 20_000;
// A released savepoint's writes keep a subtransaction id: past 64 of them PostgreSQL's snapshots
// overflow their cache and every other session slows down. Later rows take the staging path.
const MAX_SAVEPOINTS = 48;

/** One COPY in progress, and how it ended: pg-copy-streams emits a server's error without destroying the stream. */
class Copy {
  failed: (Error & { code?: string }) | null = null;
  readonly done: Promise<void>;
  constructor(readonly stream: Writable) {
    this.done = new Promise<void>((resolve, reject) => stream.once("finish", resolve).on("error", reject));
    this.done.catch((error: Error) => void (this.failed ??= error));
  }

  async write(text: string): Promise<void> {
    if (this.failed) throw this.failed; // writing on would reach a connection the stream has let go
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve, reject) => {
      this.stream.once("drain", resolve);
      this.done.catch(reject);
    });
  }

  async end(): Promise<void> {
    this.stream.end();
    await this.done;
  }

  /** Stops a COPY still open (the server drops its rows); one the server failed is over already. */
  async abort(): Promise<void> {
    if (this.failed) return;
    const closed = new Promise<void>((resolve) => this.stream.once("close", resolve).once("error", () => resolve()));
    this.stream.destroy();
    await closed;
  }
}

export class ImportStage {
  #copy: Copy | null = null; // into the staging table
  #created = false;
  #rows = 0; // staged since the last merge
  #merging: Promise<void> | null = null;
  #ahead: string[] = []; // staging text not yet sent
  #aheadRows = 0;
  #direct: Copy | null = null; // straight into the references
  #directRows = 0;
  #savepoints = 0;

  constructor(
    private readonly tx: SqlClient,
    private readonly merge: Merge,
    private direct: Direct | null,
  ) {}

  /** Stages rows; once enough are in, merges them in the background unless told not to. */
  async write(rows: readonly ImportRow[], ids: readonly string[], background: boolean): Promise<void> {
    this.#ahead.push(copyText(rows, ids));
    this.#aheadRows += rows.length;
    if (background && this.direct) return this.#writeDirect(rows, ids, this.direct);
    if (this.#merging && this.#aheadRows < AHEAD) return;
    await this.#settle();
    await this.#send();
    if (background && this.#rows >= MERGE_EVERY) {
      const staged = this.#take();
      this.#merging = this.pause().then(() => this.merge(staged));
      this.#merging.catch(() => undefined); // it is awaited before the next statement
    }
  }

  /** Merges everything staged, now (after a merge under way). */
  async flush(batch?: StagedBatch): Promise<void> {
    await this.#endDirect();
    await this.#settle();
    await this.#send();
    await this.pause();
    const staged = this.#take();
    if (staged > 0) await this.merge(staged, batch);
  }

  /** Ends the COPYs in progress, so that the connection can run other statements. */
  async pause(): Promise<void> {
    await this.#endDirect();
    const copy = this.#copy;
    this.#copy = null;
    await copy?.end();
  }

  /** After a failure: lets a merge under way finish, and stops a COPY still open. */
  async abort(): Promise<void> {
    await this.#merging?.catch(() => undefined); // its statements must not outlive the transaction
    const copies = [this.#direct, this.#copy];
    this.#direct = this.#copy = null;
    for (const copy of copies) await copy?.abort();
  }

  async #writeDirect(rows: readonly ImportRow[], ids: readonly string[], direct: Direct): Promise<void> {
    if (!this.#direct) {
      await savepoint(typed(this.tx), "begin");
      this.#savepoints++;
      this.#direct = new Copy(await copyIntoReferences(this.tx));
    }
    this.#directRows += rows.length;
    const text = referenceCopyText(rows, ids, direct.now(), direct.actor);
    if (!this.#direct.failed) await this.#direct.write(text).catch(() => undefined); // a failure is read below
    if (this.#direct.failed || this.#directRows >= DIRECT_EVERY) await this.#endDirect();
  }

  /** Ends the direct COPY: its rows are references, or (on a conflict) staging text for a merge. */
  async #endDirect(): Promise<void> {
    const copy = this.#direct;
    if (!copy || !this.direct) return;
    this.#direct = null;
    if (!copy.failed) await copy.end().catch(() => undefined);
    const db = typed(this.tx);
    if (!copy.failed) {
      await savepoint(db, "release");
      this.direct.inserted(this.#directRows);
      this.#ahead = [];
      this.#aheadRows = 0;
    } else if (copy.failed.code === "23505") {
      await savepoint(db, "rollback");
      await savepoint(db, "release");
      this.direct = null; // the rows kept in #ahead take the staging path, and so does the rest
    } else throw copy.failed;
    this.#directRows = 0;
    if (this.#savepoints >= MAX_SAVEPOINTS) this.direct = null;
  }

  async #settle(): Promise<void> {
    const merging = this.#merging;
    this.#merging = null;
    await merging;
  }

  #take(): number {
    const staged = this.#rows;
    this.#rows = 0;
    return staged;
  }

  /** Sends the staging text read ahead into a COPY, opening one if needed. */
  async #send(): Promise<void> {
    if (this.#aheadRows === 0) return;
    if (!this.#created) {
      await createStage(typed(this.tx));
      this.#created = true;
    }
    this.#copy ??= new Copy(await copyIntoStage(this.tx));
    for (const text of this.#ahead.splice(0)) await this.#copy.write(text);
    this.#rows += this.#aheadRows;
    this.#aheadRows = 0;
  }
}
