import { IntgError } from "../../errors.js";
import type { JsonObject } from "../../types/common.js";
import type { ServiceContext } from "../context.js";
import type { ConnectionClient } from "../connections/client.js";
import { requestThrough } from "../connections/request.js";
import { pick, type Pagination, type SyncResource } from "./resource.js";

// One page of a resource, fetched through the connection's authenticated request path (its rate
// limit, 429 handling and ExternalApiRequest log). The checkpoint says which page comes next, in
// the resource's pagination style; null after the last page.

export type Checkpoint = { page: number } | { cursor: string | null } | { path: string };

export interface Page {
  items: unknown[];
  next: Checkpoint | null;
}

export function firstCheckpoint(style: Pagination, resource: SyncResource): Checkpoint {
  if (style === "page") return { page: 1 };
  if (style === "cursor") return { cursor: null };
  return { path: resource.path };
}

function pathFor(style: Pagination, resource: SyncResource, at: Checkpoint): string {
  if (style === "link") return (at as { path: string }).path;
  const params = new URLSearchParams();
  if (style === "page") params.set(resource.pageParam, String((at as { page: number }).page));
  const cursor = (at as { cursor?: string | null }).cursor;
  if (style === "cursor" && cursor) params.set(resource.cursorParam, cursor);
  if (resource.pageSizeParam && resource.pageSize) params.set(resource.pageSizeParam, String(resource.pageSize));
  const query = params.toString();
  return query ? `${resource.path}${resource.path.includes("?") ? "&" : "?"}${query}` : resource.path;
}

/** rel="next" of a Link header, as a path on the provider's base URL. */
export function nextLink(header: string | undefined, baseUrl: string): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (!m || !/rel="?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) continue;
    const base = new URL(baseUrl);
    const url = new URL(m[1]!, base);
    // Only the provider's own origin: the credential must not follow a link elsewhere.
    if (url.origin !== base.origin)
      throw new IntgError(
        "SYNC_BAD_LINK",
        `The provider's next link ${url.origin}${url.pathname} leaves its base URL ${base.origin}.`,
      );
    const prefix = base.pathname.replace(/\/+$/, "");
    return (url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname) + url.search;
  }
  return null;
}

export async function fetchPage(
  ctx: ServiceContext,
  client: ConnectionClient,
  target: {
    connectionId: string;
    baseUrl: string;
    style: Pagination;
    resource: SyncResource;
    timeoutMs: number;
    signal?: AbortSignal;
  },
  at: Checkpoint,
): Promise<Page> {
  const { style, resource } = target;
  const path = pathFor(style, resource, at);
  const res = await requestThrough(
    ctx,
    target.connectionId,
    {
      method: "GET",
      path,
      headers: { accept: "application/json" },
      timeoutMs: target.timeoutMs,
      signal: target.signal,
    },
    client,
  );
  if (res.status < 200 || res.status >= 300)
    throw new IntgError("SYNC_HTTP_ERROR", `GET ${path} answered ${res.status}.`);
  if (typeof res.body !== "object" || res.body === null)
    throw new IntgError("SYNC_BAD_PAGE", `GET ${path} did not answer JSON.`);
  const items = pick(res.body, resource.itemsPath);
  if (!Array.isArray(items))
    throw new IntgError(
      "SYNC_BAD_PAGE",
      `GET ${path}: no list at "${resource.itemsPath}" in the answer.`,
      undefined,
      "Set the resource's itemsPath to where the records are.",
    );
  let next: Checkpoint | null = null;
  if (style === "page")
    next =
      items.length === 0 || (resource.pageSize !== null && items.length < resource.pageSize)
        ? null
        : { page: (at as { page: number }).page + 1 };
  else if (style === "cursor") {
    const c = pick(res.body as JsonObject, resource.nextCursorPath);
    next = typeof c === "string" && c !== "" ? { cursor: c } : typeof c === "number" ? { cursor: String(c) } : null;
  } else {
    const p = nextLink(res.headers.link, target.baseUrl);
    next = p === null ? null : { path: p };
  }
  return { items, next };
}
