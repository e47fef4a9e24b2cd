import { afterAll, describe, expect, it } from "vitest";
import { intgOnPrisma, listDeliveries, sendEvent } from "../../src/index.js";
import { parseDbUrl } from "../../src/db/url.js";
import { PROVIDERS, tempDb, type TempDb } from "../helpers/databases.js";
import { createPrismaClient, type Prisma } from "../helpers/prisma.js";
import { startReceiver, type Receiver } from "../helpers/receiver.js";
import { TEST_MASTER_KEY } from "../helpers/services.js";
import { intg } from "../helpers/spawn.js";

// An app that uses Prisma sends webhooks in its own transaction: the event is written with the
// app's rows or not at all, and the worker (the built CLI) delivers only what was committed.
describe.each(PROVIDERS)("intg in an app's prisma.$transaction on %s", (provider) => {
  const open: Array<{ close(): Promise<unknown> }> = [];
  afterAll(async () => {
    for (const o of open.reverse()) await o.close();
  });

  async function setUp(): Promise<{
    temp: TempDb;
    prisma: Prisma;
    receiver: Receiver;
    cli: (...a: string[]) => ReturnType<typeof intg>;
  }> {
    const temp = await tempDb(provider);
    open.push({ close: () => temp.dispose() });
    const env = { INTG_MASTER_KEY: TEST_MASTER_KEY };
    const cli = (...args: string[]) => intg(["--db", temp.url, ...args], { env });
    expect((await cli("db", "migrate")).code).toBe(0);
    const receiver = await startReceiver({ strict: true });
    open.push(receiver);
    const created = await cli(
      "webhooks",
      "endpoints",
      "create",
      "--url",
      receiver.url,
      "--allow-private-network",
      "--json",
    );
    expect(created.code, created.stderr).toBe(0);
    receiver.secrets = [JSON.parse(created.stdout).secret];
    const prisma = await createPrismaClient(parseDbUrl(temp.url, "--db", process.cwd()));
    open.push({ close: () => prisma.$disconnect() });
    return { temp, prisma, receiver, cli };
  }

  it("delivers what the app commits, once, signed; never what it rolls back", async () => {
    const { prisma, receiver, cli } = await setUp();
    const options = { provider, env: { INTG_MASTER_KEY: TEST_MASTER_KEY }, actor: "app" } as const;
    const send = (ctx: ReturnType<typeof intgOnPrisma>, id: number) =>
      sendEvent(ctx, { type: "order.placed", data: { id }, idempotencyKey: null, allowUnknownType: true });

    await expect(
      prisma.$transaction(async (tx) => {
        await send(intgOnPrisma(tx, options), 1);
        // The event is visible inside the app's transaction...
        expect(await listDeliveries(intgOnPrisma(tx, options))).toHaveLength(1);
        throw new Error("the app's own write failed");
      }),
    ).rejects.toThrow("the app's own write failed");
    // ...and gone with it.
    expect(await listDeliveries(intgOnPrisma(prisma, options))).toHaveLength(0);

    const committed = await prisma.$transaction(async (tx) => send(intgOnPrisma(tx, options), 2));
    const eventId = committed.events[0]!.event.id;

    const worker = await cli("webhooks", "worker", "--once");
    expect(worker.code, worker.stderr).toBe(0);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.valid).toBe(true);
    expect(got!.id).toBe(eventId);
    expect(JSON.parse(got!.body).data).toEqual({ id: 2 });
    // A second worker pass finds nothing left: delivered once.
    expect((await cli("webhooks", "worker", "--once")).code).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it("runs a service's own transaction inside Prisma's when given the client itself", async () => {
    const { prisma, receiver, cli } = await setUp();
    const ctx = intgOnPrisma(prisma, { provider, env: { INTG_MASTER_KEY: TEST_MASTER_KEY } });
    const sent = await sendEvent(ctx, {
      type: "order.placed",
      data: { id: 3 },
      idempotencyKey: "k-3",
      allowUnknownType: true,
    });
    const again = await sendEvent(ctx, {
      type: "order.placed",
      data: { id: 3 },
      idempotencyKey: "k-3",
      allowUnknownType: true,
    });
    expect(again.events[0]!.event.id).toBe(sent.events[0]!.event.id);
    expect((await cli("webhooks", "worker", "--once")).code).toBe(0);
    expect(receiver.received.map((r) => r.id)).toEqual([sent.events[0]!.event.id]);
  });
});
