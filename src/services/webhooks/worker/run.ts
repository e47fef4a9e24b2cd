import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { transientDbError } from "../../../db/transient.js";
import { IntgError, NotFoundError } from "../../../errors.js";
import { signatureHeader } from "../../../lib/webhook-signing.js";
import type { ServiceContext } from "../../context.js";
import type { Claimed } from "./claim.js";
import { DEFAULT_SCHEDULE_MS } from "../endpoint-rows.js";
import { DEFAULT_MAX_IN_FLIGHT } from "../endpoint-input.js";
import { databaseClock } from "../database-clock.js";
import { EndpointCache, secretsAt } from "./endpoints.js";
import { FairQueue } from "./fair-queue.js";
import { HttpClient, type PostResult } from "./http.js";
import { encodeAttempts, type Disabled, type Finished } from "./record.js";
import { outcomeOf } from "./schedule.js";
import { sqlStore, type DeliveryStore } from "./store.js";

// The delivery loop: `concurrency` lanes take claimed deliveries from a local queue, which is
// refilled ahead of need (one claim at a time); finished attempts are written in batches. The queue
// serves endpoints in turns, each below its cap on requests in flight (fair-queue.ts). On
// stop (signal, --max-time, or nothing due under --once) no new attempt starts, those in flight
// finish and are recorded, and claimed-but-unsent deliveries are handed back.

export const DEFAULT_DISABLE_AFTER_MS = 5 * 86_400_000;
const FLUSH_ROWS = 512;
/** The pause before a claim, or an endpoint's load, that the database refused for now is tried again. */
const RETRY_MS = 1000;
const FLUSH_MS = 50;

/** Node's longest timer: a longer one fires after 1 ms, so a worker would spin. */
const MAX_TIMER_MS = 2_147_483_647;

/** How often a worker renews its leases (its heartbeat): three times a lease. */
export const heartbeatInterval = (leaseMs: number): number => Math.min(MAX_TIMER_MS, Math.max(250, leaseMs / 3));

export interface WorkerOptions {
  concurrency: number;
  once: boolean;
  maxTimeMs: number | null;
  leaseMs: number;
  disableAfterMs: number;
  pollMs: number;
  signal?: AbortSignal;
  /** Called for every attempt once it is recorded. */
  onAttempt?: (f: Finished) => void;
  /** Called after every claim with how many deliveries it took, and how many lanes are sending. */
  onClaim?: (taken: number, at: Date, lanesBusy: number) => void;
  /**
   * Called when the database refused for now (a lock held past the busy timeout, a lost connection):
   * the worker waits and tries again (transient.ts) instead of stopping with attempts unrecorded.
   */
  onRetry?: (error: unknown) => void;
  /** Called after every heartbeat's renewal with how many leases it pushed out, and how many lanes are sending. */
  onLeaseRenewed?: (renewed: number, at: Date, lanesBusy: number) => void;
  workerId?: string;
  /**
   * "manual" for replays: attempts are recorded as manual, and one that fails leaves its delivery
   * FAILED (a replay is one more try, not a new retry schedule).
   */
  trigger?: "scheduled" | "manual";
  /** Where deliveries are claimed and attempts recorded; the worker closes it when it stops. Defaults to the context's connection. */
  store?: DeliveryStore;
}

export interface WorkerSummary {
  workerId: string;
  attempts: number;
  delivered: number;
  retrying: number;
  failed: number;
  disabledEndpoints: Disabled[];
  durationMs: number;
}

export async function runWorker(ctx: ServiceContext, options: WorkerOptions): Promise<WorkerSummary> {
  const owner = options.workerId ?? `${hostname()}:${randomBytes(6).toString("hex")}`;
  const started = performance.now();
  const deadline = options.maxTimeMs === null ? Infinity : started + options.maxTimeMs;
  const store = options.store ?? sqlStore(ctx.sql, { target: ctx.db.target, env: ctx.env });
  const trigger = options.trigger ?? "scheduled";
  // Times compared in the database with other workers' are on its clock (database-clock.ts).
  const clock = databaseClock(ctx);
  const http = new HttpClient();
  const endpoints = new EndpointCache(ctx);
  // Every delivery this worker claimed and has not yet recorded, released or let go: the heartbeat
  // renews these alone. Renewing all the owner's rows kept for ever the leases of a claim that
  // committed and then failed on its way back (retried since, as the database refused for now).
  const tracked = new Set<string>();
  const summary: WorkerSummary = {
    workerId: owner,
    attempts: 0,
    delivered: 0,
    retrying: 0,
    failed: 0,
    disabledEndpoints: [],
    durationMs: 0,
  };
  type Entry = { item: Claimed; leaseEnds: number };
  // Each endpoint's cap, as its configuration was last loaded (an endpoint not loaded yet: the default).
  const caps = new Map<string, number>();
  const queue = new FairQueue<Entry>((id) => caps.get(id) ?? DEFAULT_MAX_IN_FLIGHT);
  // Attempts finished but not yet recorded: their deliveries still count against their endpoint's
  // share in the claim (claim-rotating.ts), so a run that stops when nothing is due waits for them.
  let unrecorded = 0;
  // Deliveries whose endpoint's rate limit gives them a later slot, each on a timer that moves it
  // to the front of the queue at its time (claim-limited.ts).
  const later = new Map<Entry, NodeJS.Timeout>();
  // Time an attempt needs to start and its result to be written before the lease runs out.
  const leaseMargin = Math.min(1000, options.leaseMs / 4);
  let exhausted = false;
  let busy = 0; // lanes inside an attempt, for the observers
  let refilling: Promise<void> | undefined;
  let fatal: unknown;
  // Halting leaves the queue unsent; running out of due work (--once) still sends what is queued.
  const halted = () => fatal !== undefined || options.signal?.aborted === true || performance.now() >= deadline;

  // An idle refill waits for the poll, or less: a rate-limited delivery coming due wakes it.
  let wake: (() => void) | undefined;
  // Lanes with nothing to do wait for the refill or for a paced delivery's time, whichever is first
  // (a claim in progress must not hold back a delivery whose slot has come).
  const latch = () => {
    let resolve!: () => void;
    return { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
  };
  let arrival = latch();
  let waiting = 0; // lanes waiting on it
  const idle = (ms: number) => {
    const ac = new AbortController();
    wake = () => ac.abort();
    const signal = options.signal ? AbortSignal.any([options.signal, ac.signal]) : ac.signal;
    return sleep(ms, undefined, { signal })
      .catch(() => undefined)
      .finally(() => (wake = undefined));
  };
  const refill = async () => {
    const now = clock.now();
    // Deliveries held back by their endpoint's cap do not count: the claim gives the other endpoints room.
    const want = options.concurrency * 16 - queue.sendable - later.size;
    const { items, heldMs } = await store.claim(owner, now, options.leaseMs, want, clock.offsetMs());
    for (const id of new Set(items.map((i) => i.endpointId))) {
      if (caps.has(id)) continue;
      const ep = await endpoints.get(id).catch(() => undefined); // an attempt reports what failed
      caps.set(id, ep?.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    }
    const leaseEnds = now.getTime() + options.leaseMs;
    options.onClaim?.(items.length, now, busy);
    for (const item of items) {
      tracked.add(item.id);
      const entry = { item, leaseEnds };
      const wait = (item.sendAt ?? 0) - clock.realNow(); // the rate limits' clock is real time
      if (wait <= 0) queue.push(entry);
      else {
        const timer = setTimeout(() => {
          later.delete(entry);
          queue.push(entry, true);
          wake?.();
          arrival.resolve();
          arrival = latch();
        }, wait);
        later.set(entry, timer);
      }
    }
    if (items.length === 0) {
      // Under --once, work held back by a rate limit, or waiting for its slot, is still due now; so
      // is work held back while this worker holds its endpoint's share (until those are recorded).
      const holding = queue.size + later.size + busy + unrecorded;
      if (options.once && heldMs === null && holding === 0) exhausted = true;
      else await idle(Math.min(options.pollMs, heldMs ?? Infinity, MAX_TIMER_MS));
    }
  };
  // A claim the database refused for now is tried again after a pause (lanes wait for it meanwhile).
  // Under --once (cron), for a lease at most: the next run tries again; a worker kept running waits
  // as long as the database does (a restart may take minutes).
  let claimsRefusedSince: number | undefined;
  const startRefill = () =>
    (refilling ??= refill()
      .then(() => void (claimsRefusedSince = undefined))
      .catch(async (e) => {
        claimsRefusedSince ??= performance.now();
        const tooLong = options.once && performance.now() - claimsRefusedSince > options.leaseMs;
        if (!transientDbError(e) || tooLong) return void (fatal ??= e);
        options.onRetry?.(e);
        await idle(RETRY_MS);
      })
      .finally(() => (refilling = undefined)));

  // The heartbeat: every third of a lease, this worker's leases (queued and in flight) are pushed
  // out again, so an attempt slower than the lease (timeouts go up to 2 minutes) is never taken
  // and sent a second time by another worker. A worker that dies stops renewing; its leases run out.
  const heartbeat = setInterval(() => {
    void clock.measure(); // clocks drift, and are stepped: the next claim and beat take the new offset
    const now = clock.now();
    store.renew(owner, now, options.leaseMs, [...tracked]).then(
      (ids) => {
        // Only the leases renewed: one that ran out while this worker stalled (a pause longer than
        // the lease) may be another worker's now, and keeps its old end, so it is not sent from here.
        const renewed = new Set(ids);
        const leaseEnds = now.getTime() + options.leaseMs;
        for (const q of queue) if (renewed.has(q.item.id)) q.leaseEnds = leaseEnds;
        for (const q of later.keys()) if (renewed.has(q.item.id)) q.leaseEnds = leaseEnds;
        options.onLeaseRenewed?.(ids.length, now, busy);
      },
      // A renewal cut short by the store closing is no failure; one refused for now, the next beat repeats.
      (e) => {
        if (stopped) return;
        if (transientDbError(e)) options.onRetry?.(e);
        else fatal ??= e;
      },
    );
  }, heartbeatInterval(options.leaseMs));
  let stopped = false;
  heartbeat.unref();

  let buffer: Finished[] = [];
  let writing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = buffer;
    buffer = [];
    writing = writing.then(async () => {
      // Recorded even after a failure elsewhere: these attempts were made.
      if (batch.length === 0) return;
      try {
        summary.disabledEndpoints.push(...(await recordRetrying(encodeAttempts(batch))));
      } catch (error) {
        fatal ??= error;
        return;
      } finally {
        unrecorded -= batch.length;
      }
      wake?.(); // an endpoint's share may have room again
      for (const f of batch) {
        tracked.delete(f.deliveryId);
        summary.attempts++;
        if (f.outcome.kind === "delivered") summary.delivered++;
        else if (f.outcome.kind === "retry") summary.retrying++;
        else summary.failed++;
        options.onAttempt?.(f);
      }
    });
    return writing;
  };

  // A batch the database refused for now is written again, with pauses growing to 5 s, for one lease
  // from the first refusal, shared by the batches behind it (a lease each made a stop during an
  // outage wait a lease per batch queued). A stop waits for it: the attempts were made.
  let recordsRefusedSince: number | undefined;
  const recordRetrying = async (records: ReturnType<typeof encodeAttempts>) => {
    for (let wait = RETRY_MS / 4; ; wait = Math.min(wait * 2, 5 * RETRY_MS)) {
      try {
        const disabled = await store.record(owner, records, clock.now(), options.disableAfterMs);
        recordsRefusedSince = undefined;
        return disabled;
      } catch (error) {
        recordsRefusedSince ??= performance.now();
        const giveUpAt = recordsRefusedSince + options.leaseMs;
        if (!transientDbError(error) || performance.now() + wait > giveUpAt) throw error;
        options.onRetry?.(error);
        await sleep(wait);
      }
    }
  };

  const lane = async () => {
    for (;;) {
      if (halted()) return;
      // Refill well ahead: a claim may wait behind a batch being recorded on the store's connection,
      // and at 4 lanes' worth lanes still ran dry while it did (7% of their time, measured).
      if (queue.sendable <= options.concurrency * 8 && !exhausted) void startRefill();
      const next = queue.take();
      if (!next) {
        if (exhausted && queue.size === 0) return;
        // Only while a paced delivery or one held back by its endpoint's cap waits: each race leaves
        // a reaction on the promise until it settles.
        if (later.size > 0 || queue.size > 0) {
          waiting++;
          await Promise.race([refilling, arrival.promise]).finally(() => waiting--);
        } else await refilling;
        continue;
      }
      try {
        await send(next);
      } finally {
        queue.done(next.item.endpointId);
        // A lane may be waiting for this endpoint's turn.
        if (waiting > 0 && queue.size > 0) {
          arrival.resolve();
          arrival = latch();
        }
      }
    }
  };

  /** Hands a claimed delivery back unsent (due again, or cancelled if its endpoint is disabled). */
  const handBack = async (id: string): Promise<undefined> => {
    await store.release(owner, [id]);
    tracked.delete(id);
  };

  const send = async (next: Entry) => {
    // A lease that ran out while the delivery waited here may be another worker's now.
    if (clock.now().getTime() >= next.leaseEnds - leaseMargin) return void tracked.delete(next.item.id);
    // Past its rate-limit slot: handed back for a later slot, not sent bunched with the next ones.
    // Awaited, so a run that stops when nothing is due (--once) finds it due again.
    if (next.item.sendBy !== undefined && clock.realNow() > next.item.sendBy) return handBack(next.item.id);
    let finished: Finished | undefined;
    busy++;
    try {
      finished = await attempt(next.item);
    } catch (error) {
      // The endpoint could not be read for now: the delivery goes back to the front of the queue
      // after a pause, to be sent while its lease lasts (the heartbeat renews it once the database answers).
      if (!transientDbError(error)) throw error;
      options.onRetry?.(error);
      await sleep(RETRY_MS, undefined, { signal: options.signal }).catch(() => undefined);
      queue.push(next, true);
      return;
    } finally {
      busy--;
    }
    if (!finished) return;
    buffer.push(finished);
    unrecorded++;
    // Run dry (no lane sending, nothing queued or waiting for its rate-limit slot), no attempt is
    // coming to join the batch: it is written now, not after FLUSH_MS. A run that stops when nothing
    // is due waited those ms at its end. (A paced endpoint's attempts, one by one, keep the timer.)
    if (buffer.length >= FLUSH_ROWS || (busy === 0 && queue.size === 0 && later.size === 0)) void flush();
    else timer ??= setTimeout(flush, FLUSH_MS);
  };

  // An attempt that ends before any request goes out: recorded with no request headers or body
  // (null, not the payload by reference), so nothing reads it as the bytes a receiver got.
  const unsentAttempt = (item: Claimed, error: string, scheduleMs: number[], startedAt: Date): Finished => {
    const attemptNumber = item.attemptCount + 1;
    const result: PostResult = { statusCode: null, headers: null, body: null, error, timedOut: false, durationMs: 0 };
    const answer = { statusCode: null, timedOut: false, retryAfter: null };
    let outcome = outcomeOf(answer, attemptNumber, scheduleMs, clock.now());
    if (trigger === "manual" && outcome.kind === "retry") outcome = { kind: "failed" };
    const { id: deliveryId, eventId, endpointId } = item;
    return {
      deliveryId,
      eventId,
      endpointId,
      attemptNumber,
      trigger,
      startedAt,
      requestHeaders: null,
      requestBody: null,
      result,
      outcome,
    };
  };

  const attempt = async (item: Claimed): Promise<Finished | undefined> => {
    let ep = endpoints.ready(item.endpointId);
    try {
      ep ??= await endpoints.get(item.endpointId);
      caps.set(item.endpointId, ep.maxInFlight); // a changed cap applies within the cache's refresh
    } catch (error) {
      // Deleted meanwhile: its deliveries went with it.
      if (error instanceof NotFoundError) return void tracked.delete(item.id);
      // A row changed outside intg is not sent to: the attempt fails, on the default schedule, and
      // the other endpoints are served meanwhile.
      if (error instanceof IntgError && error.code === "CONFIG_INTEGRITY_FAILED") {
        return unsentAttempt(item, error.message, DEFAULT_SCHEDULE_MS, ctx.now());
      }
      throw error;
    }
    // Disabled after this delivery was claimed (the worker may hold hundreds of its deliveries, and
    // sent them all): handed back, which cancels it as the disabling cancelled the rest.
    if (!ep.enabled) return handBack(item.id);
    // A rate limit set after this delivery was claimed without a slot (the worker may hold hundreds
    // of an endpoint's): handed back, due at once, for the limited claim to pace. Read again first:
    // a limit just removed would otherwise hand back, for up to a load's age, what the claim without
    // limits takes again at once. (A replay holds its own deliveries, and sends them as it always has.)
    const unpaced = item.sendAt === undefined && trigger === "scheduled";
    if (ep.rateLimited && unpaced) {
      const stale = ep;
      ep = await endpoints.reload(item.endpointId).catch(() => stale);
      if (ep.rateLimited) return handBack(item.id);
    }
    // The attempt's own time, its signature's timestamp and which secrets are live: this machine's
    // clock, as the operator's that set the secrets' ends (a rotation's grace) and the receiver's that
    // checks the timestamp are their own. Only what other workers compare is on the database's.
    const startedAt = ctx.now();
    let body = item.payload;
    // A transformation that throws is recorded as a failed attempt and retried on the schedule:
    // fixing the expression lets later attempts through.
    if (ep.transform) {
      try {
        body = await ep.transform(item.payload);
      } catch (e) {
        return unsentAttempt(item, (e as Error).message, ep.scheduleMs, startedAt);
      }
    }
    // Signed by the secrets live when the attempt starts: a cached retired one stops at its own end.
    const secrets = secretsAt(ep, startedAt.getTime());
    // One object literal per attempt, in the order signatureHeaders gives (no spread of a second).
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const own = {
      "content-type": "application/json",
      "user-agent": "intg-webhooks/1",
      "webhook-id": item.eventId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(secrets, item.eventId, timestamp, body),
    };
    // The endpoint's headers go out as they are but are recorded redacted: they are often its
    // credential. An endpoint without any (the same object twice) sends and records one set.
    const plain = ep.recordedHeaders === ep.headers;
    const requestHeaders = plain ? own : { ...ep.recordedHeaders, ...own };
    const sent = plain ? own : { ...ep.headers, ...own };
    const result = await http.post(ep.url, sent, body, ep.timeoutMs, ep.allowPrivate);
    const attemptNumber = item.attemptCount + 1;
    let outcome = outcomeOf(
      { statusCode: result.statusCode, timedOut: result.timedOut, retryAfter: result.headers?.["retry-after"] ?? null },
      attemptNumber,
      ep.scheduleMs,
      clock.now(),
    );
    if (trigger === "manual" && outcome.kind === "retry") outcome = { kind: "failed" };
    // The bytes sent are kept only when they are not the event's own (the same string when no
    // transformation ran, so this costs one comparison of references on the hot path).
    const requestBody = body === item.payload ? null : body;
    const { id: deliveryId, eventId, endpointId } = item;
    return {
      deliveryId,
      eventId,
      endpointId,
      attemptNumber,
      trigger,
      startedAt,
      requestHeaders,
      requestBody,
      result,
      outcome,
    };
  };

  try {
    await clock.measure();
    // The first claim goes out to the store while this thread loads the HTTP client.
    void startRefill();
    void http.preload().catch((e) => void (fatal ??= e));
    await Promise.all(Array.from({ length: options.concurrency }, () => lane().catch((e) => void (fatal ??= e))));
    await refilling;
    await flush();
    for (const timer of later.values()) clearTimeout(timer);
    await store.release(
      owner,
      [...queue.drain(), ...later.keys()].map((q) => q.item.id),
    );
  } finally {
    stopped = true;
    clearInterval(heartbeat);
    for (const timer of later.values()) clearTimeout(timer);
    clearTimeout(timer);
    await http.close();
    await store.close();
  }
  if (fatal !== undefined) throw fatal;
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}
