import { describe, expect, it } from "vitest";
import { chatMessage, compileJsonata, compileTransformation, TransformError } from "../../src/lib/webhook-transform.js";

const envelope = JSON.stringify({
  type: "invoice.paid",
  timestamp: "2026-01-15T12:00:00.000Z",
  data: { id: "in_1", amount: 4200, lines: [{ sku: "a" }] },
});

describe("webhook transformations", () => {
  it("reshapes the envelope with a JSONata expression, into plain JSON", async () => {
    const t = await compileTransformation({
      kind: "jsonata",
      expression: '{"kind": type, "cents": data.amount, "skus": data.lines.sku}',
    });
    expect(JSON.parse(await t(envelope))).toEqual({ kind: "invoice.paid", cents: 4200, skus: "a" });
    const arrays = await compileTransformation({ kind: "jsonata", expression: "[data.lines.sku, data.id]" });
    expect(await arrays(envelope)).toBe('["a","in_1"]');
  });

  it("says where an expression does not parse, and when one fails or yields nothing for an event", async () => {
    await expect(compileJsonata('{"a": ')).rejects.toThrow(TransformError);
    await expect(compileJsonata('{"a": ')).rejects.toThrow(/does not parse at character \d+/);
    await expect(
      (await compileTransformation({ kind: "jsonata", expression: '$error("no refunds")' }))(envelope),
    ).rejects.toThrow(/failed: no refunds/);
    await expect(
      (await compileTransformation({ kind: "jsonata", expression: "data.missing" }))(envelope),
    ).rejects.toThrow(/produced nothing/);
  });

  it("formats chat messages as Slack and Discord incoming webhooks accept them", async () => {
    const slack = chatMessage("SLACK", envelope);
    expect(Object.keys(slack)).toEqual(["text"]);
    expect(slack.text).toMatch(/^\*invoice\.paid\* at 2026-01-15T12:00:00\.000Z\n```\n\{\n {2}"id": "in_1"/);
    const discord = chatMessage("DISCORD", envelope);
    expect(Object.keys(discord)).toEqual(["content"]);
    expect(discord.content).toMatch(/^\*\*invoice\.paid\*\*/);
    const big = JSON.stringify({ type: "x.y", timestamp: "t", data: { blob: "z".repeat(5_000) } });
    const cut = chatMessage("DISCORD", big).content as string;
    expect(cut.length).toBeLessThanOrEqual(2_000);
    expect(cut).toMatch(/…\n```$/);
    expect(await (await compileTransformation({ kind: "chat_message", format: "SLACK" }))(envelope)).toBe(
      JSON.stringify(slack),
    );
  });
});
