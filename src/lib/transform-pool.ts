import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

// JSONata runs on a worker thread with a budget. An expression can loop or recurse forever, or
// hand a regular expression a catastrophic input; on the main thread that blocks the event loop:
// the delivery worker serves no other endpoint and ignores SIGTERM. Here the main loop stays free,
// and a thread that overruns its time is terminated (which stops even a native regex) and replaced.

export interface TransformBudget {
  /** Per evaluation, from the moment the thread is handed the input. */
  timeoutMs: number;
  /** Nested evaluation steps (jsonata's stack guard), for runaway recursion. */
  maxDepth: number;
  /** The serialised result. */
  maxOutputBytes: number;
}

export const DEFAULT_BUDGET: TransformBudget = { timeoutMs: 100, maxDepth: 500, maxOutputBytes: 1_000_000 };

/** An evaluation that failed: `limit` when it went over the budget rather than failing on its own. */
export class PoolError extends Error {
  constructor(
    message: string,
    readonly limit: boolean,
  ) {
    super(message);
  }
}

interface Job {
  expression: string;
  input: string;
  bindings?: string;
  resolve(value: string | null): void;
  reject(error: PoolError): void;
}
type Reply = { id: number; value: string | null } | { id: number; error: string; limit: boolean };

/** The thread file: the same plain CommonJS from source (src/lib) and, bundled, beside dist/main.cjs. */
function threadFile(): string {
  return fileURLToPath(new URL("./transform-thread.cjs", import.meta.url));
}

/** One thread, one evaluation at a time, in order; the thread starts on first use. */
export class TransformPool {
  #worker: Worker | null = null;
  /** The thread has loaded jsonata: its start-up is not charged to the first evaluation. */
  #ready = false;
  #queue: Job[] = [];
  #current: { id: number; job: Job; timer: NodeJS.Timeout } | null = null;
  #nextId = 1;

  constructor(readonly budget: TransformBudget = DEFAULT_BUDGET) {}

  /**
   * The expression's result over the JSON text `input`, serialised; null when it yields nothing.
   * `bindings`, a JSON object as text, names variables ($name) for the expression.
   */
  evaluate(expression: string, input: string, bindings?: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ expression, input, bindings, resolve, reject });
      this.#next();
    });
  }

  /** Stops the thread (and fails what is queued); the next evaluation starts a new one. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#ready = false;
    const stopped = new PoolError("the transform pool was closed", false);
    for (const job of this.#queue.splice(0)) job.reject(stopped); // first, or #finish would start the next
    if (this.#current) this.#finish(this.#current.id, () => this.#current?.job.reject(stopped));
    await worker?.terminate();
  }

  #next(): void {
    if (this.#current || this.#queue.length === 0) return;
    const worker = this.#thread();
    if (!this.#ready) return; // its "ready" message calls back here
    const job = this.#queue.shift() as Job;
    const id = this.#nextId++;
    const budget = `the transformation exceeded its ${this.budget.timeoutMs} ms budget`;
    // jsonata's own guard stops a loop between steps at timeoutMs and keeps the thread; this timer
    // is the backstop for a step that never returns, with slack for a busy machine. It (not the
    // unref'd thread) keeps the process alive while an evaluation runs.
    const timer = setTimeout(() => {
      this.#discard(worker);
      this.#finish(id, () => job.reject(new PoolError(budget, true)));
    }, this.budget.timeoutMs + Math.max(50, this.budget.timeoutMs));
    this.#current = { id, job, timer };
    worker.postMessage({ id, expression: job.expression, input: job.input, bindings: job.bindings });
  }

  #finish(id: number, settle: () => void): void {
    if (this.#current?.id !== id) return;
    clearTimeout(this.#current.timer);
    settle();
    this.#current = null;
    this.#next();
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const { timeoutMs, maxDepth, maxOutputBytes } = this.budget;
    const worker = new Worker(threadFile(), {
      workerData: { timeoutMs, maxDepth, maxOutputBytes },
      // An expression that builds a huge value fails on its own thread, not the process.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    // The thread starts (and the process waits for it) only while something is queued.
    const startup = setTimeout(() => undefined, 60_000);
    const budget = `the transformation exceeded its ${timeoutMs} ms budget`;
    worker.on("message", (m: Reply | "ready") => {
      if (m === "ready") {
        clearTimeout(startup);
        if (this.#worker === worker) this.#ready = true;
        return this.#next();
      }
      const job = this.#current?.job;
      if (!job) return;
      if ("error" in m) {
        const message = m.error === "BUDGET" ? budget : m.error;
        this.#finish(m.id, () => job.reject(new PoolError(message, m.limit)));
      } else this.#finish(m.id, () => job.resolve(m.value));
    });
    const lost = (error: Error) => {
      clearTimeout(startup);
      if (this.#worker !== worker) return; // already replaced
      this.#discard(worker);
      const current = this.#current;
      const memory = (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
      const why = memory
        ? "the transformation ran out of its memory budget"
        : `the transform thread failed: ${error.message}`;
      if (current) this.#finish(current.id, () => current.job.reject(new PoolError(why, memory)));
      // A thread that cannot even start fails what waits for it, rather than being restarted forever.
      else for (const job of this.#queue.splice(0)) job.reject(new PoolError(why, false));
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`it stopped (exit code ${code})`)));
    worker.unref(); // after the listeners: adding a "message" listener refs the thread again
    this.#worker = worker;
    return worker;
  }

  #discard(worker: Worker): void {
    if (this.#worker === worker) {
      this.#worker = null;
      this.#ready = false;
    }
    void worker.terminate();
  }
}

let shared: TransformPool | null = null;

/** The process's pool, made on first use: endpoints without a JSONata transformation never start it. */
export function transformPool(): TransformPool {
  shared ??= new TransformPool();
  return shared;
}
