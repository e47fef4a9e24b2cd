// Outbound request URLs are logged (ExternalApiRequest), and a URL is where credentials hide:
// `https://user:pass@host/…`, `?api_key=…`, `?access_token=…`, presigned `X-Amz-Signature=…`.
// What is logged keeps the parameter's name (so "was the key sent?" can still be answered) with
// its value replaced, and drops userinfo and the fragment altogether.

export const REDACTED = "REDACTED";

// Matched anywhere in a parameter's name: these words are never part of a harmless name.
const ANYWHERE = [
  "token",
  "secret",
  "passw",
  "signature",
  "credential",
  "apikey",
  "api_key",
  "api-key",
  "session",
  "private",
];
// Matched as a whole word of the name (split at - _ . and camelCase): "key" but not "monkey",
// "auth" but not "author".
const WORDS = new Set(["key", "auth", "authorization", "sig", "pwd", "pass", "jwt", "bearer", "hmac", "otp"]);

export function isCredentialParam(name: string): boolean {
  const lower = name.toLowerCase();
  if (ANYWHERE.some((w) => lower.includes(w))) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => WORDS.has(w));
}

/**
 * The URL as it may be stored and shown: no userinfo, no fragment, credential parameters redacted.
 * `secretParams` are names known to carry a credential whatever they are called (a provider's
 * API-key-in-query parameter, `appid` say), matched case-insensitively on top of the name list.
 */
export function stripUrlCredentials(raw: string, secretParams: readonly string[] = []): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL the WHATWG parser accepts: keep what precedes any query, minus anything like userinfo.
    return raw.split(/[?#]/, 1)[0]!.replace(/\/\/[^/@]*@/, "//");
  }
  url.username = "";
  url.password = "";
  url.hash = "";
  const known = new Set(secretParams.map((n) => n.toLowerCase()));
  const secret = (name: string) => known.has(name.toLowerCase()) || isCredentialParam(name);
  const params = [...url.searchParams.keys()];
  if (params.some(secret)) {
    const kept = new URLSearchParams();
    for (const [name, value] of url.searchParams) kept.append(name, secret(name) ? REDACTED : value);
    url.search = kept.toString();
  }
  return url.toString();
}
