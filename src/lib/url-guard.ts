import { promises as dns } from "node:dns";
import { BlockList, isIP } from "node:net";
import { UsageError } from "../errors.js";

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
] as const)
  BLOCKED.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
  // Local-use NAT64 (RFC 8215): translated by the operator's own gateway into its own network,
  // and where the IPv4 address sits depends on the prefix length chosen there; refuse it whole.
  ["64:ff9b:1::", 48],
] as const)
  BLOCKED.addSubnet(net, bits, "ipv6");

/** The eight 16-bit groups of a valid IPv6 literal (a trailing dotted IPv4 part included). */
function ipv6Groups(address: string): number[] {
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const hex = (hi: string, lo: string) => ((+hi << 8) | +lo).toString(16);
  const text = dotted ? `${dotted[1]}${hex(dotted[2]!, dotted[3]!)}:${hex(dotted[4]!, dotted[5]!)}` : address;
  const [head, tail] = text.split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":").map((h) => parseInt(h, 16)) : []);
  const left = part(head);
  const right = part(tail);
  return [...left, ...Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 address carries, in every form that ends up delivered to that IPv4
 * host, or undefined: IPv4-compatible ::/96, IPv4-mapped ::ffff:0:0/96, SIIT ::ffff:0:0:0/96,
 * NAT64 64:ff9b::/96, 6to4 2002::/16 (bits 16-47), Teredo 2001::/32 (client in the last 32 bits,
 * inverted). A private IPv4 address hidden this way must be refused like the plain one.
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address.toLowerCase());
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (zero(0, 6)) return v4(g[6]!, g[7]!);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!);
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return v4(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  if (g[0] === 0x2001 && g[1] === 0) return v4(g[6]! ^ 0xffff, g[7]! ^ 0xffff);
  return undefined;
}

/** Whether an IP literal is private, loopback, link-local, unspecified or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""); // brackets and zone ids
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, "ipv4");
  if (family !== 6) return true; // not an address at all: refuse rather than guess
  const v4 = embeddedIPv4(bare);
  return (v4 !== undefined && BLOCKED.check(v4, "ipv4")) || BLOCKED.check(bare, "ipv6");
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
    throw new UsageError(
      `${url.protocol} URLs are not supported: only http and https.`,
      "Write it like https://example.com/webhooks.",
      "INVALID_URL",
    );
  }
  if (url.username || url.password)
    throw new UsageError(
      "The URL must not carry credentials; use --header for authentication.",
      undefined,
      "INVALID_URL",
    );
  return url;
}

export type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) =>
  (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

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
      throw new UsageError(
        `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? "lookup failed"}); nothing was written.`,
        undefined,
        "UNRESOLVABLE_HOST",
      );
    }
  }
  for (const address of addresses) checkAddress(address, host, false);
  return url;
}
