import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionHttp } from "../../src/services/connections/http.js";
import { startFakeProvider, type FakeProvider } from "../helpers/fake-provider.js";

// The address guard at connect time (DESIGN §6): the same check as at creation runs on the address
// actually dialled, so an IPv6 spelling of a private IPv4 address stored or configured some other
// way than through `create` is refused before a connection is opened.
describe("connect-time address guard", () => {
  let fake: FakeProvider;
  const http = new ConnectionHttp();
  beforeAll(async () => {
    fake = await startFakeProvider();
  });
  afterAll(async () => {
    await http.close();
    await fake.close();
  });

  it("refuses IPv6 literals embedding a private IPv4 address when dialling, and dials a permitted one", async () => {
    const port = new URL(fake.url).port;
    const forms = [
      "::127.0.0.1",
      "::ffff:127.0.0.1",
      "::ffff:0:7f00:1",
      "2002:7f00:1::",
      "2001:0:4136:e378:8000:63bf:80ff:fffe",
      "64:ff9b::7f00:1",
    ];
    const get = (url: string, allowPrivate: boolean) =>
      http.send({ url: new URL(url), method: "GET", headers: {}, timeoutMs: 2000, allowPrivate });
    for (const form of forms) {
      const res = await get(`http://[${form}]:${port}/x`, false);
      expect(res.statusCode, form).toBeNull();
      expect(res.error, form).toMatch(/private, loopback, link-local or reserved address; refused/);
    }
    expect(fake.requests).toHaveLength(0);
    const allowed = await get(`${fake.url}/x`, true);
    expect(allowed.statusCode).toBe(200);
    expect(fake.requests).toHaveLength(1);
  });
});
