import { describe, expect, it } from "vitest";
import { defaultDatabaseFile, resolveDbTarget } from "../../src/db/url.js";
import { UsageError } from "../../src/errors.js";

describe("database URL resolution", () => {
  const env = {
    HOME: "/home/op",
    XDG_DATA_HOME: "/data",
    INTG_DATABASE_URL: "file:/a.db",
    DATABASE_URL: "postgresql://u:pw@db:5432/x",
  };

  it("prefers --db over INTG_DATABASE_URL over DATABASE_URL", () => {
    expect(resolveDbTarget("file:/flag.db", env, "/").file).toBe("/flag.db");
    expect(resolveDbTarget(undefined, env, "/")).toMatchObject({ source: "INTG_DATABASE_URL", file: "/a.db" });
    expect(resolveDbTarget(undefined, { ...env, INTG_DATABASE_URL: "" }, "/")).toMatchObject({
      source: "DATABASE_URL",
      provider: "postgresql",
    });
  });

  it("falls back to the embedded file under XDG_DATA_HOME, then ~/.local/share", () => {
    expect(resolveDbTarget(undefined, { HOME: "/home/op", XDG_DATA_HOME: "/data" }, "/")).toMatchObject({
      provider: "sqlite",
      embedded: true,
      source: "default",
      file: "/data/intg/intg.db",
    });
    expect(defaultDatabaseFile({ HOME: "/home/op" })).toBe("/home/op/.local/share/intg/intg.db");
    // A relative XDG_DATA_HOME is invalid per the XDG spec and ignored.
    expect(defaultDatabaseFile({ HOME: "/home/op", XDG_DATA_HOME: "rel" })).toBe("/home/op/.local/share/intg/intg.db");
  });

  it("reads file: URLs and bare paths as SQLite, relative to the working directory", () => {
    expect(resolveDbTarget("file:./x.db", {}, "/srv/app")).toMatchObject({
      provider: "sqlite",
      file: "/srv/app/x.db",
      embedded: false,
    });
    expect(resolveDbTarget("data/y.db", {}, "/srv/app").file).toBe("/srv/app/data/y.db");
    expect(resolveDbTarget("file:///abs/z.db", {}, "/srv/app").file).toBe("/abs/z.db");
  });

  it("reads postgres:// and postgresql:// as PostgreSQL and hides the password", () => {
    const t = resolveDbTarget("postgres://admin:s3cret@10.0.0.5:6543/intg?sslmode=require&password=x", {}, "/");
    expect(t.provider).toBe("postgresql");
    expect(t.redacted).not.toContain("s3cret");
    expect(t.redacted).toContain("admin:****@10.0.0.5:6543/intg");
    expect(t.redacted).toContain("password=****");
    expect(t.url).toContain("s3cret");
  });

  it("refuses other schemes and empty paths with a usage error", () => {
    expect(() => resolveDbTarget("mysql://root@h/db", {}, "/")).toThrow(UsageError);
    expect(() => resolveDbTarget("mysql://root@h/db", {}, "/")).toThrow(/unsupported scheme "mysql:"/);
    expect(() => resolveDbTarget("file:", {}, "/")).toThrow(/names no SQLite file/);
  });
});
