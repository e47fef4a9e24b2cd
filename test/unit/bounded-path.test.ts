import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { resolveUnderBase } from "../../src/lib/bounded-path.js";
import { listTemplates } from "../../src/services/providers/catalog.js";

const BASE = "https://api.example.com/v1";
const refused = (base: string, path: string) => {
  let error: unknown;
  try {
    resolveUnderBase(base, path);
  } catch (e) {
    error = e;
  }
  expect(error, `${base} + ${path}`).toBeInstanceOf(UsageError);
  expect((error as UsageError).code).toBe("PATH_OUTSIDE_BASE");
};

describe("resolveUnderBase", () => {
  it("puts paths under the base URL, query strings included", () => {
    const cases: [string, string, string][] = [
      [BASE, "/users", "https://api.example.com/v1/users"],
      [BASE, "users?limit=5&q=a/../b", "https://api.example.com/v1/users?limit=5&q=a/../b"],
      [`${BASE}/`, "/users", "https://api.example.com/v1/users"],
      [BASE, "", "https://api.example.com/v1/"],
      [BASE, "?page=2", "https://api.example.com/v1/?page=2"],
      [BASE, "/a/./b/../c", "https://api.example.com/v1/a/c"],
      [BASE, "/spreadsheets/x:batchGet", "https://api.example.com/v1/spreadsheets/x:batchGet"],
      [BASE, "/@evil.example/x", "https://api.example.com/v1/@evil.example/x"],
      [BASE, "/projects/group%2Fproject", "https://api.example.com/v1/projects/group%2Fproject"],
      [BASE, "https://api.example.com/v1/users?x=1", "https://api.example.com/v1/users?x=1"],
      [BASE, "/users#frag", "https://api.example.com/v1/users"],
      ["http://127.0.0.1:8080", "/../x", "http://127.0.0.1:8080/x"], // the origin root: nowhere further up
    ];
    for (const [base, path, want] of cases) expect(resolveUnderBase(base, path).toString(), path).toBe(want);
  });

  it("refuses paths that leave the origin or the base path, however spelled", () => {
    const hostile = [
      "/../x",
      "../x",
      "/../../x",
      "/a/../../x",
      "/%2e%2e/x",
      "/%2E%2e/x",
      "/.%2e/x",
      "/%2e./x",
      "/..%2fx",
      "/..%2f..%2fadmin",
      "/a%2f..%2f..%2fx",
      "/%2e%2e%5cx",
      "/..%5Cx",
      "//evil.example/x",
      "/\\evil.example/x",
      "\\\\evil.example\\x",
      "/..\\x",
      "\\..\\x",
      "http://evil.example/v1/x",
      "https://api.example.com/v2/x",
      "https://api.example.com/v1x",
      "http://api.example.com/v1/x",
      "https://api.example.com:8443/v1/x",
      "https://u:p@api.example.com/v1/x",
      "/.\t./x",
      "/a\n/../../x",
      "/x\u0000",
      "https://",
      "/v1/../..",
    ];
    for (const path of hostile) refused(BASE, path);
    // "/v1x" is not under "/v1": the prefix ends at a slash.
    refused("https://api.example.com/v1/", "../v1x/y");
  });

  it("accepts every built-in template's health check path, on the template's own base URL", () => {
    for (const t of listTemplates()) {
      const url = resolveUnderBase(t.baseUrl, t.connector.healthCheck.path);
      expect(url.toString(), t.name).toBe(t.baseUrl.replace(/\/$/, "") + t.connector.healthCheck.path);
    }
  });
});
