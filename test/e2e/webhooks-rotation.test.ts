import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it, vi } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver, type Received, type Receiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// Issue 13, "Rotation", through bin/intg: two rotations 30 minutes apart, and every old secret
// verifies deliveries exactly until its own promised end. Each command runs with its clock moved
// ahead by the minutes the scenario needs (helpers/clock-shift.cjs); real workers post to real
// receivers, and each signature is checked with the standardwebhooks package.

const MIN = 60_000;
const SHIFT = fileURLToPath(new URL("../helpers/clock-shift.cjs", import.meta.url));
const KEY = generateMasterKey().bytes.toString("base64");
const home = tempDir();
afterAll(() => home.dispose());

/** Whether a standardwebhooks receiver holding `secret` accepts the request, at the time it was sent. */
function accepts(secret: string, r: Received): boolean {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(r.timestamp * 1000);
  try {
    const headers = {
      "webhook-id": r.id,
      "webhook-timestamp": String(r.timestamp),
      "webhook-signature": String(r.headers["webhook-signature"]),
    };
    new Webhook(secret).verify(r.body, headers);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

describe.each(PROVIDERS)("signing-secret rotation through bin/intg on %s", (provider) => {
  const title = "keeps each old secret verifying until its own end; a fourth is refused, or forced out";
  it(title, { timeout: 180_000 }, async () => {
    const db = await tempDb(provider);
    const receivers: Receiver[] = [];
    const base = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ACTOR: "e2e" };
    const at = (minutes: number) => ({
      ...base,
      NODE_OPTIONS: `--require ${SHIFT}`,
      TEST_CLOCK_SHIFT_MS: `${minutes * MIN}`,
    });
    const run = (minutes: number, args: string[]) => intg([...args, "--json"], { env: at(minutes) });
    const ok = async (minutes: number, args: string[]) => {
      const r = await run(minutes, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout.trim() ? JSON.parse(r.stdout) : null;
    };
    const endpoint = async () => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const created = await ok(0, [
        "webhooks",
        "endpoints",
        "create",
        "--url",
        receiver.url,
        "--allow-private-network",
      ]);
      return { receiver, ...created };
    };
    const rotation = (id: string, grace: string, flags: string[] = []) => [
      "webhooks",
      "endpoints",
      "rotate-secret",
      id,
      "--grace",
      grace,
      ...flags,
    ];
    const rotate = (minutes: number, id: string, grace: string, ...flags: string[]) =>
      ok(minutes, rotation(id, grace, flags));
    /** Sends one event at `minutes` and runs a worker then; returns the requests each receiver got. */
    const deliver = async (minutes: number) => {
      const seen = receivers.map((r) => r.received.length);
      await ok(minutes, ["webhooks", "send", "order.created", "--data", `{"at":${minutes}}`]);
      const worker = await run(minutes, ["webhooks", "worker", "--once"]); // NDJSON: one line per attempt
      expect(worker.code, worker.stderr).toBe(0);
      return receivers.map((r, i) => r.received.slice(seen[i]));
    };
    try {
      await ok(0, ["db", "migrate"]);
      await ok(0, ["webhooks", "event-types", "create", "order.created"]);
      const [ep, forcedEp, racedEp] = [await endpoint(), await endpoint(), await endpoint()];

      // The scenario: a one-hour grace, then 30 minutes later a ten-minute one.
      const first = await rotate(0, ep.id, "1h");
      await rotate(0, forcedEp.id, "1h");
      // Four concurrent rotations: two fit (three live secrets), the others are refused, exit 6.
      const raced = await Promise.all(Array.from({ length: 4 }, () => run(0, rotation(racedEp.id, "1h"))));
      expect(raced.map((r) => r.code).sort()).toEqual([0, 0, 6, 6]);
      const won = raced.filter((r) => r.code === 0).map((r) => JSON.parse(r.stdout).secret as string);
      const racedSecrets = [racedEp.secret, ...won];
      const second = await rotate(30, ep.id, "10m");
      const originalEnd = Date.parse(second.olderSecretExpiresAt);
      const firstEnd = Date.parse(second.previousSecretExpiresAt);
      // Each its own: 60 minutes from the first rotation, 10 from the second.
      expect(originalEnd - firstEnd).toBeGreaterThan(19 * MIN);
      const shown = (await intg(["webhooks", "endpoints", "show", ep.id], { env: at(30) })).stdout.split("\n");
      expect(shown.find((l) => l.includes("previous secret until"))).toContain(second.previousSecretExpiresAt);
      expect(shown.find((l) => l.includes("older secret until"))).toContain(second.olderSecretExpiresAt);
      const forcedSecond = await rotate(30, forcedEp.id, "1h");
      const checks: { minutes: number; got: Received[][] }[] = [{ minutes: 31, got: await deliver(31) }];

      // A third rotation while both graces run would need a fourth secret: refused, nothing changed.
      const before = await ok(35, ["webhooks", "endpoints", "show", ep.id]);
      const refused = await run(35, ["webhooks", "endpoints", "rotate-secret", ep.id, "--grace", "5m"]);
      expect(refused.code).toBe(6);
      expect(JSON.parse(refused.stderr).error.code).toBe("ROTATION_IN_GRACE");
      expect(refused.stdout).toBe("");
      expect(await ok(35, ["webhooks", "endpoints", "show", ep.id])).toEqual(before);
      // --force drops the oldest secret (promised until minute 60) and says so in the audit log.
      const forced = await rotate(35, forcedEp.id, "5m", "--force");
      const [audit] = await ok(35, ["audit", "list", "--target", forcedEp.id, "--action", "endpoint.rotate_secret"]);
      const promised = forcedSecond.olderSecretExpiresAt; // minute 60
      expect(audit.metadata).toMatchObject({ forced: true, droppedSecretPromisedUntil: promised });

      for (const minutes of [37, 43, 57, 63]) checks.push({ minutes, got: await deliver(minutes) });

      // The main endpoint: each secret verifies exactly while its own end is ahead; one signature per live secret.
      const mine = checks.flatMap((c) => c.got[0]!);
      expect(mine).toHaveLength(5);
      const ends = new Map([
        [ep.secret, originalEnd],
        [first.secret, firstEnd],
        [second.secret, Infinity],
      ]);
      const live = mine.map((r) => [...ends].filter(([, end]) => r.timestamp * 1000 < end).map(([s]) => s));
      for (const [i, r] of mine.entries()) {
        for (const [secret, end] of ends) {
          expect(accepts(secret, r), `minute ${checks[i]!.minutes}`).toBe(r.timestamp * 1000 < end);
        }
        expect(String(r.headers["webhook-signature"]).split(" ")).toHaveLength(live[i]!.length);
      }
      expect(live.map((l) => l.length)).toEqual([3, 3, 2, 2, 1]);

      // The forced endpoint: its original secret stopped at minute 35, 25 minutes before its promise.
      const forcedGot = checks.flatMap((c) => c.got[1]!);
      expect(forcedGot.map((r) => accepts(forcedEp.secret, r))).toEqual([true, false, false, false, false]);
      expect(forcedGot.map((r) => accepts(forced.secret, r))).toEqual([false, true, true, true, true]);
      // The raced endpoint: the two rotations that went through and the original all sign until minute 60.
      const racedGot = checks.flatMap((c) => c.got[2]!);
      expect(racedGot.map((r) => racedSecrets.filter((s) => accepts(s, r)).length)).toEqual([3, 3, 3, 3, 1]);
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
      await db.dispose();
    }
  });
});
