import { describe, expect, it } from "vitest";
import { nextLink } from "../../src/services/sync/pages.js";

// Link-header pagination: the rel="next" target as a path on the base URL, and never a link that
// would carry the connection's credential to another origin.
describe("nextLink", () => {
  const base = "https://api.example.com/v2";
  it("finds rel=next among several links and strips the base URL's path", () => {
    const header =
      '<https://api.example.com/v2/items?page=1>; rel="first", <https://api.example.com/v2/items?page=3>; rel="next", <https://api.example.com/v2/items?page=9>; rel="last"';
    expect(nextLink(header, base)).toBe("/items?page=3");
    expect(nextLink("</v2/items?after=abc>; rel=next", base)).toBe("/items?after=abc");
  });
  it("is null on the last page", () => {
    expect(nextLink(undefined, base)).toBeNull();
    expect(nextLink('<https://api.example.com/v2/items?page=1>; rel="prev"', base)).toBeNull();
  });
  it("refuses a next link on another origin", () => {
    expect(() => nextLink('<https://evil.example.net/items?page=2>; rel="next"', base)).toThrow(/leaves its base URL/);
  });
});
