import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/databases.js";
import { intg } from "../helpers/spawn.js";

// Issue 15: `keys rotate` holds <id> and --grace itself (no hidden default verb), so its help lists
// them; rotating and `keys rotate status` work through bin/intg as before.

describe("keys rotate through bin/intg", () => {
  const home = tempDir();
  const env = { HOME: home.path, XDG_DATA_HOME: join(home.path, "data") };
  afterAll(() => home.dispose());

  it("lists --grace in its help, rotates with it, and reports the cut-over with status", async () => {
    const help = await intg(["keys", "rotate", "--help"], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--grace <duration>");
    expect(help.stdout).toContain("Examples:\n  # Rotate a key");

    const created = await intg(["keys", "create", "--name", "rotated", "--json"], { env });
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout);
    const rotated = await intg(["keys", "rotate", id, "--grace", "2h", "--json"], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    const successor = JSON.parse(rotated.stdout);
    expect(successor.rotatedFromId).toBe(id);

    const status = await intg(["keys", "rotate", "status", id, "--json"], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ oldKeyId: id, newKeyId: successor.id, oldKeyValid: true });

    const misplaced = await intg(["keys", "rotate", "status", id, "--grace", "1h"], { env });
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("takes no --grace");
  });
});
