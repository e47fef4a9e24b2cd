import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  embeddedIPv4,
  guardUrl,
  isPrivateAddress,
  parseOutboundUrl,
  privateNetworksAllowed,
} from "../../src/lib/url-guard.js";

const refused = async (url: string, options: Parameters<typeof guardUrl>[1] = { allowPrivate: false }) => {
  const error = await guardUrl(url, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(UsageError);
  return error as UsageError;
};

describe("URL guard", () => {
  it("accepts only http and https", () => {
    expect(parseOutboundUrl("https://example.com/x").hostname).toBe("example.com");
    for (const bad of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "example.com/x",
      "",
      "https://user:pw@example.com/",
    ]) {
      expect(() => parseOutboundUrl(bad), bad).toThrow(UsageError);
    }
  });

  it("classifies IPv4 and IPv6 literals, including IPv4-mapped IPv6", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "0.0.0.0",
      "100.64.0.1",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "[::1]",
      "fe80::1%eth0",
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it("finds the IPv4 address in every IPv6 form that carries one", () => {
    const cases: [string, string | undefined][] = [
      ["::127.0.0.1", "127.0.0.1"], // IPv4-compatible ::/96
      ["::7f00:1", "127.0.0.1"],
      ["::ffff:127.0.0.1", "127.0.0.1"], // IPv4-mapped ::ffff:0:0/96
      ["::ffff:0:7f00:1", "127.0.0.1"], // SIIT ::ffff:0:0:0/96
      ["0:0:0:0:ffff:0:a00:1", "10.0.0.1"],
      ["64:ff9b::c0a8:101", "192.168.1.1"], // NAT64
      ["2002:7f00:1::", "127.0.0.1"], // 6to4: bits 16-47
      ["2002:a9fe:a9fe:1:2:3:4:5", "169.254.169.254"],
      ["2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"], // Teredo: last 32 bits inverted
      ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45"], // RFC 4380's own example
      ["2606:4700:4700::1111", undefined],
      ["2001:db8::1", undefined], // 2001:db8 is not Teredo (2001:0::/32)
      ["fe80::1", undefined],
    ];
    for (const [a, v4] of cases) expect(embeddedIPv4(a), a).toBe(v4);
  });

  it("refuses IPv6 forms embedding a refused IPv4 address and lets public embeddings through", () => {
    const refusedForms = [
      "::127.0.0.1",
      "::7f00:1",
      "::10.0.0.1",
      "::ffff:0:7f00:1",
      "::ffff:0:10.1.2.3",
      "::ffff:0:a9fe:a9fe",
      "2002:7f00:1::",
      "2002:a00:1::1",
      "2002:c0a8:101:ffff::",
      "2001:0:4136:e378:8000:63bf:80ff:fffe",
      "2001::f5ff:fffe",
      "64:ff9b::10.0.0.1",
      "64:ff9b::7f00:1",
      "64:ff9b:1::8.8.8.8",
      "64:ff9b:1:ffff::1",
      "[::ffff:0:7f00:1]",
      "2002:7f00:1::%eth0",
    ];
    for (const a of refusedForms) expect(isPrivateAddress(a), a).toBe(true);
    const publicForms = [
      "::8.8.8.8",
      "::ffff:8.8.8.8",
      "::ffff:0:8.8.8.8",
      "64:ff9b::8.8.8.8",
      "2002:808:808::1",
      "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
      "2001:4860:4860::8888",
    ];
    for (const a of publicForms) expect(isPrivateAddress(a), a).toBe(false);
  });

  it("refuses the embedded forms in URLs as the URL parser writes them", async () => {
    for (const url of [
      "http://[::127.0.0.1]/",
      "http://[::ffff:0:7f00:1]/",
      "http://[2002:7f00:1::]/",
      "http://[2001::ffff:fffe]/",
      "http://[64:ff9b::127.0.0.1]/",
    ]) {
      expect((await refused(url)).code, url).toBe("PRIVATE_ADDRESS");
    }
  });

  it("refuses private literals in URLs unless allowed", async () => {
    for (const url of [
      "http://127.0.0.1:8080/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "https://169.254.169.254/latest/meta-data",
      "http://0.0.0.0/",
      "http://10.0.0.5/hook",
    ]) {
      expect((await refused(url)).code).toBe("PRIVATE_ADDRESS");
      await expect(guardUrl(url, { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    }
    await expect(guardUrl("https://93.184.216.34/hook", { allowPrivate: false })).resolves.toBeInstanceOf(URL);
  });

  it("checks every address a hostname resolves to", async () => {
    // The system resolver: localhost is loopback on every machine.
    expect((await refused("http://localhost:3000/hook")).code).toBe("PRIVATE_ADDRESS");
    const lookup = async (host: string) =>
      host === "mixed.test"
        ? ["93.184.216.34", "10.0.0.1"]
        : host === "public.test"
          ? ["2606:4700:4700::1111", "93.184.216.34"]
          : [];
    expect((await refused("https://mixed.test/", { allowPrivate: false, lookup })).message).toContain("10.0.0.1");
    await expect(guardUrl("https://public.test/", { allowPrivate: false, lookup })).resolves.toBeInstanceOf(URL);
    const failing = async () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));
    expect((await refused("https://nowhere.invalid/", { allowPrivate: false, lookup: failing })).code).toBe(
      "UNRESOLVABLE_HOST",
    );
  });

  it("is allowed by INTG_ALLOW_PRIVATE_NETWORKS=1 or the target's own flag", () => {
    expect(privateNetworksAllowed({}, false)).toBe(false);
    expect(privateNetworksAllowed({ INTG_ALLOW_PRIVATE_NETWORKS: "1" }, false)).toBe(true);
    expect(privateNetworksAllowed({ INTG_ALLOW_PRIVATE_NETWORKS: "0" }, true)).toBe(true);
  });
});
