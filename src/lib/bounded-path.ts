import { UsageError } from "../errors.js";

// A path given to a connection (`connections request`, a sync resource path, a health check path)
// is relative to the provider's base URL, and the credential goes with it: the request must stay
// on the base URL's origin and under its path. The path is resolved with the WHATWG URL parser,
// the same one the request is sent with, so what is checked is what is sent.

const refuse = (path: string, why: string) =>
  new UsageError(
    `The path "${path}" ${why}; nothing was sent.`,
    "Give a path under the provider's base URL, like /v1/customers?limit=10.",
    "PATH_OUTSIDE_BASE",
  );

/** Whether a percent-decoded segment is, or hides, a "." or ".." step (..%2f, %2e%2e%5c). */
function hidesDotSegment(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    decoded = segment;
  }
  return decoded.split(/[/\\]/).some((part) => part === "." || part === "..");
}

/**
 * The URL `path` stands for under `baseUrl`: "/users?limit=5" and "users?limit=5" both mean
 * <base>/users?limit=5. Throws a UsageError (exit 2) when it would leave the base URL's origin or
 * path prefix, or when it is ambiguous about it: "//host" (scheme-relative), backslashes and control
 * characters (which the URL parser rewrites or drops), and dot segments hidden by encoded slashes,
 * which a server decoding them once would walk up.
 */
export function resolveUnderBase(baseUrl: string, path: string): URL {
  const control = /[\u0000-\u001f\u007f]/g;
  if (control.test(path)) throw refuse(path.replace(control, "?"), "contains control characters");
  if (path.includes("\\")) throw refuse(path, "contains a backslash (write %5C if it is meant)");
  if (path.startsWith("//")) throw refuse(path, "names another host (it starts with //)");
  const base = new URL(baseUrl);
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  const root = new URL(prefix, base.origin);
  // A full URL is taken as written (and must then lie under the base); anything else is a path, and
  // "./" keeps a segment like "spreadsheets/x:batchGet" from being read as a scheme.
  let url: URL;
  try {
    url = /^[a-z][a-z\d+.-]*:\/\//i.test(path) ? new URL(path) : new URL(`./${path.replace(/^\//, "")}`, root);
  } catch {
    throw refuse(path, "is not a valid path or URL");
  }
  url.hash = "";
  if (url.origin !== base.origin || url.username || url.password) throw refuse(path, `leaves ${base.origin}`);
  if (!url.pathname.startsWith(prefix)) {
    throw refuse(path, `resolves to ${url.pathname}, outside the base path ${prefix}`);
  }
  if (url.pathname.slice(prefix.length).split("/").some(hidesDotSegment)) {
    throw refuse(path, "hides a dot segment behind percent-encoding");
  }
  return url;
}
