import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { confirm } from "../../src/cli/confirm.js";
import { CommandContext } from "../../src/cli/context.js";
import { UsageError } from "../../src/errors.js";
import { createTestIO, testDeps } from "../helpers/io.js";

const globals = { json: false, color: false, quiet: false, yes: false };

describe("confirm", () => {
  it("needs --yes when not interactive, and says so", async () => {
    const ctx = new CommandContext(testDeps(), globals);
    await expect(confirm(ctx, "Revoke 3 keys?")).rejects.toThrow(UsageError);
    await expect(confirm(ctx, "Revoke 3 keys?")).rejects.toThrow("--yes required when not running interactively.");
    // stdin a TTY but stdout piped: still not interactive.
    const half = new CommandContext(testDeps({ io: createTestIO({ stdinIsTTY: true }) }), globals);
    await expect(confirm(half, "Revoke?")).rejects.toThrow(UsageError);
  });

  it("takes --yes as the answer without asking", async () => {
    const deps = testDeps();
    const ctx = new CommandContext(deps, { ...globals, yes: true });
    await expect(confirm(ctx, "Revoke?")).resolves.toBe(true);
    expect(deps.io.err()).toBe("");
  });

  it("asks on a terminal, on stderr, and returns the answer", async () => {
    const io = createTestIO({ stdinIsTTY: true, stdoutIsTTY: true });
    const stdin = new PassThrough();
    const stderr = new PassThrough();
    let asked = "";
    stderr.on("data", (d) => (asked += d));
    const ctx = new CommandContext(testDeps({ io: { ...io, stdin, stderr } }), globals);
    const answer = confirm(ctx, "Revoke key_1?");
    setTimeout(() => stdin.write("y\n"), 50);
    await expect(answer).resolves.toBe(true);
    expect(asked).toContain("Revoke key_1?");
  });
});
