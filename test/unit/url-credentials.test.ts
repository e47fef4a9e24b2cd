import { describe, expect, it } from "vitest";
import { isCredentialParam, stripUrlCredentials } from "../../src/lib/url-credentials.js";

describe("stripping credentials from logged URLs", () => {
  it("drops userinfo and the fragment", () => {
    expect(stripUrlCredentials("https://alice:hunter2@api.example.com/v1/users#token=abc")).toBe(
      "https://api.example.com/v1/users",
    );
    expect(stripUrlCredentials("https://sk_live_123@api.example.com/")).toBe("https://api.example.com/");
  });

  it("redacts credential parameters and keeps the others as they were", () => {
    const url =
      "https://api.example.com/v1/items?page=2&api_key=sk_live_1&access_token=t0k&X-Amz-Signature=abc&X-Amz-Credential=AK%2F1&author=ann&sort=name";
    const stripped = stripUrlCredentials(url);
    expect(stripped).toBe(
      "https://api.example.com/v1/items?page=2&api_key=REDACTED&access_token=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&author=ann&sort=name",
    );
    for (const leaked of ["sk_live_1", "t0k", "abc", "AK"]) expect(stripped).not.toContain(leaked);
    expect(stripUrlCredentials("https://api.example.com/v1/items?page=2")).toBe(
      "https://api.example.com/v1/items?page=2",
    );
  });

  it("tells credential parameter names from harmless ones", () => {
    for (const name of [
      "token",
      "apiKey",
      "api-key",
      "key",
      "client_secret",
      "password",
      "passwd",
      "sig",
      "signature",
      "auth",
      "Authorization",
      "refresh_token",
      "sessionId",
      "hapikey",
    ]) {
      expect(isCredentialParam(name), name).toBe(true);
    }
    for (const name of ["page", "author", "monkey", "keyword", "sort", "q", "limit", "cursor"]) {
      expect(isCredentialParam(name), name).toBe(false);
    }
  });

  it("always redacts the parameters named as secret, whatever they are called, in any case", () => {
    const url = "https://api.example.com/weather?q=oslo&appid=0a1b2c3d&APPID=4e5f&units=metric";
    expect(stripUrlCredentials(url)).toContain("appid=0a1b2c3d"); // not on the name list: kept without a hint
    const stripped = stripUrlCredentials(url, ["appid"]);
    expect(stripped).toBe("https://api.example.com/weather?q=oslo&appid=REDACTED&APPID=REDACTED&units=metric");
    expect(stripUrlCredentials(stripped, ["appid"])).toBe(stripped); // idempotent: a logged URL stays as it is
  });

  it("never stores a query or userinfo from a URL it cannot parse", () => {
    expect(stripUrlCredentials("not a url?token=abc")).toBe("not a url");
    expect(stripUrlCredentials("//user:pw@host/path?key=1")).toBe("//host/path");
  });
});
