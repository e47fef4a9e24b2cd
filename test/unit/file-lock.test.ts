import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireFileLock } from "../../src/lib/file-lock.js";
import { tempDir } from "../helpers/databases.js";

// The master-key lock's file lock: exclusive, bounded waiting, and gone with its holder.

describe("acquireFileLock", () => {
  const dir = tempDir();
  afterAll(() => dir.dispose());
  const path = join(dir.path, "x.lock");

  it("is exclusive, creates its file 0600, and is free again once released", async () => {
    const first = await acquireFileLock(path, { timeoutMs: 0 });
    expect(first).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await acquireFileLock(path, { timeoutMs: 100, pollMs: 10 })).toBeUndefined();
    first!.release();
    first!.release(); // twice is harmless
    const again = await acquireFileLock(path, { timeoutMs: 0 });
    expect(again).toBeDefined();
    again!.release();
  });

  it("a waiter gets it as soon as the holder lets go", async () => {
    const first = (await acquireFileLock(path, { timeoutMs: 0 }))!;
    const waiting = acquireFileLock(path, { timeoutMs: 10_000, pollMs: 10 });
    setTimeout(() => first.release(), 100);
    const second = await waiting;
    expect(second).toBeDefined();
    second!.release();
  });

  it("is released by the kernel when its holder is killed, with nothing to clean up", async () => {
    // Another process takes the lock the same way (an EXCLUSIVE transaction on the file) and is SIGKILLed.
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    const script =
      `const D=require(${JSON.stringify(sqlite)});const db=new D(${JSON.stringify(path)});` +
      `db.pragma("journal_mode = OFF");db.exec("BEGIN EXCLUSIVE");console.log("held");setInterval(()=>{},1000);`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    expect(await acquireFileLock(path, { timeoutMs: 50, pollMs: 10 })).toBeUndefined();
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const after = await acquireFileLock(path, { timeoutMs: 0 });
    expect(after).toBeDefined();
    after!.release();
  });
});
