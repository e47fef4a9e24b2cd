import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/errors.js";
import { guardUrl, isPrivateAddress, parseOutboundUrl, privateNetworksAllowed } from "../../src/lib/url-guard.js";

const refused = async (url: string, options: Parameters<typeof guardUrl>[1] = { allowPrivate: false }) => {
  const error = await guardUrl(url, options).then(() => undefined, (e: unknown) => e);
  expect(error, url).toBeInstanceOf(UsageError);
  return error as UsageError;
};

describe("URL guard", () => {
  it("accepts only http and https", () => {
    expect(parseOutboundUrl("https://example.com/x").hostname).toBe("example.com");
    for (const bad of ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "example.com/x", "", "https://user:pw@example.com/"]) {
      expect(() => parseOutboundUrl(bad), bad).toThrow(UsageError);
    }
  });

  it("classifies IPv4 and IPv6 literals, including IPv4-mapped IPv6", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "[::1]", "fe80::1%eth0"]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it("refuses private literals in URLs unless allowed", async () => {
    for (const url of ["http://127.0.0.1:8080/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "https://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://10.0.0.5/hook"]) {
      expect((await refused(url)).code).toBe("PRIVATE_ADDRESS");
      await expect(guardUrl(url, { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    }
    await expect(guardUrl("https://93.184.216.34/hook", { allowPrivate: false })).resolves.toBeInstanceOf(URL);
  });

  it("checks every address a hostname resolves to", async () => {
    // The system resolver: localhost is loopback on every machine.
    expect((await refused("http://localhost:3000/hook")).code).toBe("PRIVATE_ADDRESS");
    const lookup = async (host: string) => (host === "mixed.test" ? ["93.184.216.34", "10.0.0.1"] : host === "public.test" ? ["2606:4700:4700::1111", "93.184.216.34"] : []);
    expect((await refused("https://mixed.test/", { allowPrivate: false, lookup })).message).toContain("10.0.0.1");
    await expect(guardUrl("https://public.test/", { allowPrivate: false, lookup })).resolves.toBeInstanceOf(URL);
    const failing = async () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));
    expect((await refused("https://nowhere.invalid/", { allowPrivate: false, lookup: failing })).code).toBe("UNRESOLVABLE_HOST");
  });

  it("is allowed by INTG_ALLOW_PRIVATE_NETWORKS=1 or the target's own flag", () => {
    expect(privateNetworksAllowed({}, false)).toBe(false);
    expect(privateNetworksAllowed({ INTG_ALLOW_PRIVATE_NETWORKS: "1" }, false)).toBe(true);
    expect(privateNetworksAllowed({ INTG_ALLOW_PRIVATE_NETWORKS: "0" }, true)).toBe(true);
  });
});
