import { describe, expect, it } from "vitest";
import { intgCommand, withDbFlag } from "../../src/cli/db-hint.js";
import { parseDbUrl } from "../../src/db/url.js";

// The fix under a doctor check runs against the database the invocation used, and can be pasted
// into a shell as printed; a password in --db never reaches the output.
describe("doctor's fix commands", () => {
  it("repeat a --db given on the command line, quoted for the shell when it must be", () => {
    expect(intgCommand(parseDbUrl("file:/srv/intg.db", "--db", "/"), "db migrate")).toBe(
      "intg --db file:/srv/intg.db db migrate",
    );
    expect(intgCommand(parseDbUrl("file:/srv/my team's/intg.db", "--db", "/"), "db migrate")).toBe(
      `intg --db 'file:/srv/my team'\\''s/intg.db' db migrate`,
    );
  });

  it("redact the password, and leave a URL from the environment to the environment", () => {
    const fix = intgCommand(parseDbUrl("postgresql://ops:hunter2@db.internal/intg", "--db", "/"), "db migrate");
    expect(fix).toBe("intg --db 'postgresql://ops:****@db.internal/intg' db migrate");
    expect(intgCommand(parseDbUrl("postgresql://db.internal/intg", "INTG_DATABASE_URL", "/"), "db migrate")).toBe(
      "intg db migrate",
    );
  });
});

describe("a hint under --db", () => {
  it("names the same database in every command it mentions, and is left alone without --db", () => {
    const argv = ["--db", "file:/srv/intg.db", "db", "status"];
    expect(withDbFlag("Run: intg db migrate", argv, "/")).toBe("Run: intg --db file:/srv/intg.db db migrate");
    expect(withDbFlag("List with: intg keys list, or intg keys show <id>", ["--db=file:x.db", "keys"], "/")).toBe(
      "List with: intg --db file:/x.db keys list, or intg --db file:/x.db keys show <id>",
    );
    expect(withDbFlag("Run: intg db migrate", ["db", "status"], "/")).toBe("Run: intg db migrate");
    expect(withDbFlag("Run: intg db migrate", ["keys", "list", "--", "--db", "x"], "/")).toBe("Run: intg db migrate");
  });
});
