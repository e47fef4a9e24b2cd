import { afterAll, describe, expect, it } from "vitest";
import { generateMasterKey } from "../../src/lib/crypto.js";
import { PROVIDERS, tempDb, tempDir } from "../helpers/databases.js";
import { startReceiver } from "../helpers/receiver.js";
import { intg } from "../helpers/spawn.js";

// `webhooks deliveries show` is the debugging view: without --json it prints each attempt's request
// headers, response headers and the first 2 KB of the response body (issue 15). What the receiver
// chose is printed with its control characters escaped, so a response cannot drive the terminal.

const home = tempDir();
const KEY = generateMasterKey().bytes.toString("base64");
afterAll(() => home.dispose());

describe.each(PROVIDERS)("deliveries show on %s", (provider) => {
  it("prints every attempt's headers and the start of its response, escaped", async () => {
    const db = await tempDb(provider);
    // 3 KB of body: "é" straddles byte 2048, and an OSC sequence that would retitle a terminal.
    const body = `\u001b]0;pwned\u0007${"a".repeat(2037)}é${"z".repeat(1000)}`;
    const receiver = await startReceiver({
      respond: () => ({ status: 503, headers: { "x-trace-id": "tr_42", "retry-after": "7" }, body }),
    });
    const env = { HOME: home.path, INTG_MASTER_KEY: KEY, INTG_DATABASE_URL: db.url, INTG_ALLOW_PRIVATE_NETWORKS: "1" };
    const ok = async (...args: string[]) => {
      const r = await intg(args, { env });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    try {
      await ok("db", "migrate");
      const ep = JSON.parse(await ok("webhooks", "endpoints", "create", "--url", receiver.url, "--json"));
      receiver.secrets = [ep.secret];
      await ok("webhooks", "send", "invoice.paid", "--data", '{"id":"in_1"}', "--allow-unknown-type");
      await ok("webhooks", "worker", "--once");
      const [delivery] = JSON.parse(await ok("webhooks", "deliveries", "list", "--json"));
      const shown = await ok("webhooks", "deliveries", "show", delivery.id);

      const sent = receiver.received[0]!.headers;
      expect(shown).toContain("Attempt 1 (scheduled)");
      expect(shown).toContain("HTTP 503");
      expect(shown).toContain(`webhook-id: ${sent["webhook-id"]}`);
      expect(shown).toContain(`webhook-signature: ${sent["webhook-signature"]}`);
      expect(shown).toContain("x-trace-id: tr_42");
      expect(shown).toContain("retry-after: 7");
      expect(shown).toContain("first 2048 of 3049 bytes stored");
      expect(shown).toContain("\\x1b]0;pwned\\x07");
      expect(shown).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(shown).toContain(`${"a".repeat(2037)}\n`); // cut before the two-byte "é", not through it
      expect(shown).not.toContain("é");
      expect(shown).not.toContain("z".repeat(16)); // none of the body past the cut
    } finally {
      await receiver.close();
      await db.dispose();
    }
  });
});
