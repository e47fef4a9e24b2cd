import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  generateSigningSecret,
  secretKey,
  sign,
  signatureHeaders,
  verifySignature,
} from "../../src/lib/webhook-signing.js";

// The spec's test vector, computed with the Standard Webhooks reference library.
const VECTOR = {
  secret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
  ts: 1674087231,
  body: '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}',
  signature: "v1,4PMU5Dl90B4kgwxDpwuMZ/cnZ5ztf+Y+kviYQD66rJg=",
};

describe("Standard Webhooks signing", () => {
  it("matches the spec's test vector", () => {
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.ts, VECTOR.body)).toBe(VECTOR.signature);
    expect(sign(VECTOR.secret, VECTOR.id, VECTOR.ts, Buffer.from(VECTOR.body))).toBe(VECTOR.signature);
    expect(verifySignature(VECTOR.secret, VECTOR.id, VECTOR.ts, VECTOR.body, `v1,bm9wZQ== ${VECTOR.signature}`)).toBe(
      true,
    );
    expect(verifySignature(VECTOR.secret, VECTOR.id, VECTOR.ts, VECTOR.body + " ", VECTOR.signature)).toBe(false);
  });

  it("makes whsec_ secrets of 32 random bytes", () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(a);
  });

  it("is verified by the standardwebhooks package, with one secret and with two during a rotation", () => {
    const [oldSecret, newSecret] = [generateSigningSecret(), generateSigningSecret()];
    const body = JSON.stringify({
      type: "invoice.paid",
      timestamp: new Date().toISOString(),
      data: { amount: 100, note: "é ✓" },
    });
    const ts = Math.floor(Date.now() / 1000);
    const single = signatureHeaders([newSecret], "evt_01ABC", ts, body);
    expect(new Webhook(newSecret).verify(body, { ...single })).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).sign("evt_01ABC", new Date(ts * 1000), body)).toBe(single["webhook-signature"]);
    const both = signatureHeaders([newSecret, oldSecret], "evt_01ABC", ts, body);
    expect(both["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...both })).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, { ...both })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSigningSecret()).verify(body, { ...both })).toThrow();
    expect(() => new Webhook(newSecret).verify(body.replace("100", "101"), { ...single })).toThrow();
  });

  it("refuses ids holding the separator", () => {
    expect(() => sign(VECTOR.secret, "a.b", 1, "{}")).toThrow(RangeError);
  });
});
