import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { BIN, intg } from "../helpers/spawn.js";

// `webhooks verify` and `webhooks listen` through the built bin/intg, with requests signed by the
// standardwebhooks package at the real time, and a real app server behind the listener.

const dir = tempDir();
afterAll(() => dir.dispose());
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const secretFile = join(dir.path, "secrets.txt");
writeFileSync(secretFile, `${SECRET}\n`);
const emptySecrets = join(dir.path, "empty.txt");
writeFileSync(emptySecrets, "# rotated out\n\n");
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/webhooks/${name}`, import.meta.url));

function signed(body: string, id = `msg_${Math.random().toString(36).slice(2)}`) {
  const ts = Math.floor(Date.now() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": new Webhook(SECRET).sign(id, new Date(ts * 1000), body),
  };
}
const asHttp = (headers: Record<string, string>, body: string) =>
  [
    "POST /hook HTTP/1.1",
    "Content-Type: application/json",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "",
    body,
  ].join("\r\n");

describe("intg webhooks verify", () => {
  const body = JSON.stringify({ type: "invoice.paid", data: { amount: 4200, note: "ça va" } });

  it("exits 0 for a valid request on stdin (HTTP text) and from a file (JSON)", async () => {
    const headers = signed(body);
    const fromStdin = await intg(["webhooks", "verify", "--secret-file", secretFile], { input: asHttp(headers, body) });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toMatch(/^valid: Standard Webhooks signature, id msg_/);
    const file = join(dir.path, "req.json");
    writeFileSync(file, JSON.stringify({ headers, body }));
    const fromFile = await intg(["webhooks", "verify", "--secret-file", secretFile, file, "--json"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({
      valid: true,
      scheme: "standard-webhooks",
      failure: null,
      secretIndex: 0,
    });
  });

  it("exits 4 for a bad signature, and --explain names the cause; --json prints the validation", async () => {
    const tampered = asHttp(signed(body), body.replace("4200", "4201"));
    const plain = await intg(["webhooks", "verify", "--secret-file", secretFile], { input: tampered });
    expect(plain.code).toBe(4);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toMatch(/not valid: no secret in the file made this signature[\s\S]*--explain/);
    const reserialised = asHttp(signed(body), JSON.stringify(JSON.parse(body), null, 2));
    const explained = await intg(["webhooks", "verify", "--secret-file", secretFile, "--explain", "--json"], {
      input: reserialised,
    });
    expect(explained.code).toBe(4);
    expect(JSON.parse(explained.stdout)).toMatchObject({
      valid: false,
      failure: "body_reserialized",
      explanation: expect.stringMatching(/JSON\.stringify/),
    });
    expect(JSON.parse(explained.stderr)).toMatchObject({ error: { code: "SIGNATURE_INVALID" } });
    expect(explained.stdout + explained.stderr).not.toContain(SECRET.slice(6));
  });

  it("explains a fixture's cause, and clock skew with the default tolerance", async () => {
    const hex = await intg([
      "webhooks",
      "verify",
      "--secret-file",
      fixture("secrets.txt"),
      "--tolerance",
      "1000w",
      "--explain",
      fixture("hex-signature.http"),
    ]);
    expect(hex.code).toBe(4);
    expect(hex.stderr).toMatch(/hex-encoded, but Standard Webhooks sends the HMAC base64-encoded/);
    const old = await intg([
      "webhooks",
      "verify",
      "--secret-file",
      fixture("secrets.txt"),
      "--explain",
      fixture("valid.http"),
    ]);
    expect(old.code).toBe(4);
    expect(old.stderr).toMatch(
      /timestamp is too old[\s\S]*in the past, beyond the tolerance of 5m; the signature itself is valid/,
    );
  });

  it.each([
    ["no --secret-file", [] as string[], "", /--secret-file/],
    [
      "an unparseable request",
      ["--secret-file", secretFile],
      "this is not a request\n\n",
      /stdin is not a request: line 1 is neither/,
    ],
    ["a missing request file", ["--secret-file", secretFile, join(dir.path, "nope.http")], "", /Cannot read .*ENOENT/],
    [
      "a bad --tolerance",
      ["--secret-file", secretFile, "--tolerance", "soon"],
      "",
      /--tolerance: "soon" is not a duration/,
    ],
    ["a secret file with only comments", ["--secret-file", emptySecrets], "", /holds no secret/],
  ])("exits 2 for %s", async (_label, args, input, message) => {
    const r = await intg(["webhooks", "verify", ...args], { input });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("intg webhooks listen", () => {
  it("verifies, prints NDJSON per event, answers 401 or the app's status (502 when it is down), forwards the exact bytes, and exits 0 on SIGINT", async () => {
    let appStatus = 202;
    const app = await startReceiver({ respond: () => ({ status: appStatus }) });
    app.secrets = [SECRET];
    const child = spawn(
      process.execPath,
      [BIN, "webhooks", "listen", "--port", "0", "--json", "--secret-file", secretFile, "--forward-to", app.url],
      {
        env: { PATH: process.env.PATH ?? "", HOME: dir.path },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string) ?? "null") as Record<string, unknown>;
    try {
      const { listening } = (await next()) as { listening: string };
      expect(listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Bytes a re-serialisation would change: spacing, key order, non-ASCII, a trailing newline.
      const body = '{"type":"invoice.paid",  "data": {"z": 1, "a": "é"}}\n';
      const good = await fetch(`${listening}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signed(body, "msg_good") },
        body,
      });
      expect(good.status).toBe(202);
      expect(await next()).toMatchObject({
        id: "msg_good",
        type: "invoice.paid",
        valid: true,
        cause: null,
        status: 202,
        path: "/webhooks",
        forward: { url: app.url, status: 202, error: null },
      });
      expect(app.received).toHaveLength(1);
      expect(app.received[0]!.body).toBe(body);
      expect(app.received[0]!.valid).toBe(true);
      expect(app.received[0]!.headers["webhook-id"]).toBe("msg_good");

      const badHeaders = {
        ...signed(body, "msg_bad"),
        "webhook-signature": new Webhook("whsec_" + Buffer.alloc(32, 7).toString("base64")).sign(
          "msg_bad",
          new Date(),
          body,
        ),
      };
      const bad = await fetch(`${listening}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", ...badHeaders },
        body,
      });
      expect(bad.status).toBe(401);
      expect(await next()).toMatchObject({
        id: "msg_bad",
        type: "invoice.paid",
        valid: false,
        cause: "wrong_secret",
        status: 401,
        forward: null,
      });
      expect(app.received).toHaveLength(1);

      // The app fails: the sender hears it, and retries. The app is down: 502.
      appStatus = 500;
      const failing = await fetch(`${listening}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signed(body, "msg_500") },
        body,
      });
      expect(failing.status).toBe(500);
      expect(await next()).toMatchObject({ id: "msg_500", status: 500, forward: { status: 500, error: null } });
      await app.close();
      const down = await fetch(`${listening}/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signed(body, "msg_down") },
        body,
      });
      expect(down.status).toBe(502);
      expect(await next()).toMatchObject({
        id: "msg_down",
        status: 502,
        forward: { status: null, error: expect.any(String) },
      });
    } finally {
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      await app.close();
    }
    expect(stderr).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+, verifying with 1 secret\(s\), forwarding to/);
    expect(stderr).toMatch(/Stopped after 4 event\(s\)/);
    expect(stderr).not.toContain(SECRET.slice(6));
  });

  it("prints a human line per event and the URL on stderr; no secret means unverified; SIGTERM stops it", async () => {
    const child = spawn(process.execPath, [BIN, "webhooks", "listen", "--port", "0"], {
      env: { PATH: process.env.PATH ?? "", HOME: dir.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve) => {
      let err = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        const m = /Listening on (http:\S+?),/.exec((err += d));
        if (m) resolve(m[1]!);
      });
    });
    const r = await fetch(url, {
      method: "POST",
      body: '{"type":"ping"}',
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/POST \/ {2}- {2}ping {2}unverified -> 200\n$/);
  });

  it("refuses a bad --forward-to and a bad --port with exit 2", async () => {
    expect((await intg(["webhooks", "listen", "--forward-to", "ftp://x"])).code).toBe(2);
    expect((await intg(["webhooks", "listen", "--port", "99999"])).code).toBe(2);
  });
});
