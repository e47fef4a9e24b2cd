import { promises as dns } from "node:dns";
import { BlockList, isIP } from "node:net";
import { UsageError } from "../cli/errors.js";

// Outbound URLs (DESIGN §6): http(s) only, and no private, loopback, link-local or unspecified
// address unless allowed (INTG_ALLOW_PRIVATE_NETWORKS=1, or the target's own flag). A hostname is
// checked on every address it resolves to, since one private answer is enough to reach inside.
// Checking at creation only is not enough (DNS can change): the delivery worker calls
// checkAddress on the address it actually connects to.

export const ALLOW_PRIVATE_ENV = "INTG_ALLOW_PRIVATE_NETWORKS";

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network", incl. the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast
] as const) BLOCKED.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
  ["64:ff9b::", 96], // NAT64 maps IPv4 into IPv6; the embedded address decides
] as const) BLOCKED.addSubnet(net, bits, "ipv6");

/** An IPv4 address hidden in IPv6 (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d), or undefined. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP literal is private, loopback, link-local, unspecified or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""); // brackets and zone ids
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, "ipv4");
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIPv4(bare);
  if (v4) return BLOCKED.check(v4, "ipv4");
  return BLOCKED.check(bare, "ipv6");
}

export function privateNetworksAllowed(env: Record<string, string | undefined>, perTarget: boolean): boolean {
  return perTarget || env[ALLOW_PRIVATE_ENV] === "1";
}

/** For the worker at connect time: throws when the resolved address may not be reached. */
export function checkAddress(address: string, host: string, allowPrivate: boolean): void {
  if (!allowPrivate && isPrivateAddress(address)) {
    throw new UsageError(
      `${host === address ? address : `${host} resolves to ${address}, which`} is a private, loopback, link-local or reserved address; refused.`,
      `Allow it per endpoint with --allow-private-network, or everywhere with ${ALLOW_PRIVATE_ENV}=1.`,
      "PRIVATE_ADDRESS",
    );
  }
}

/** The URL, parsed, when it is http(s); a UsageError naming the problem otherwise. No network. */
export function parseOutboundUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`"${text}" is not a URL.`, "Write it like https://example.com/webhooks.", "INVALID_URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${url.protocol} URLs are not supported: only http and https.`, "Write it like https://example.com/webhooks.", "INVALID_URL");
  }
  if (url.username || url.password) throw new UsageError("The URL must not carry credentials; use --header for authentication.", undefined, "INVALID_URL");
  return url;
}

export type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Validates an outbound URL: scheme, then every address its host stands for. A host that does not
 * resolve is refused too (exit 2): it cannot be checked, and a typo is likelier than a future DNS record.
 */
export async function guardUrl(text: string, options: { allowPrivate: boolean; lookup?: Lookup }): Promise<URL> {
  const url = parseOutboundUrl(text);
  if (options.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch (error) {
      throw new UsageError(`${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? "lookup failed"}); nothing was written.`, undefined, "UNRESOLVABLE_HOST");
    }
  }
  for (const address of addresses) checkAddress(address, host, false);
  return url;
}
