import { describe, expect, it } from "vitest";
import { withDbFlag } from "../../src/commands/doctor/render.js";
import { parseDbUrl } from "../../src/db/url.js";

// The fix under a doctor check runs against the database the invocation used, and can be pasted
// into a shell as printed; a password in --db never reaches the output.
describe("doctor's fix commands", () => {
  it("repeat a --db given on the command line, quoted for the shell when it must be", () => {
    expect(withDbFlag(parseDbUrl("file:/srv/intg.db", "--db", "/"), "db migrate")).toBe(
      "intg --db file:/srv/intg.db db migrate",
    );
    expect(withDbFlag(parseDbUrl("file:/srv/my team's/intg.db", "--db", "/"), "db migrate")).toBe(
      `intg --db 'file:/srv/my team'\\''s/intg.db' db migrate`,
    );
  });

  it("redact the password, and leave a URL from the environment to the environment", () => {
    const fix = withDbFlag(parseDbUrl("postgresql://ops:hunter2@db.internal/intg", "--db", "/"), "db migrate");
    expect(fix).toBe("intg --db 'postgresql://ops:****@db.internal/intg' db migrate");
    expect(withDbFlag(parseDbUrl("postgresql://db.internal/intg", "INTG_DATABASE_URL", "/"), "db migrate")).toBe(
      "intg db migrate",
    );
  });
});
