import { z } from "zod";

// How a provider declares what `connections sync --resource <name>` can pull. Resources live in
// the provider's definition (`resources` in a `providers import` file, kept in its config column)
// because they describe the provider's API, not one set of credentials:
//
//   resources:
//     contacts: { path: /contacts, externalType: contact, pagination: page, itemsPath: data, idField: id }
//
// pagination defaults to the provider's paginationStyle:
//   page   - GET path?<pageParam>=1, 2, … until a page has no items; the checkpoint is the next page.
//   cursor - GET path?<cursorParam>=<cursor>, the next cursor read from the body at nextCursorPath
//            (absent, null or "" ends it); the checkpoint is the next cursor.
//   link   - GET path, then the Link header's rel="next" URL (same origin as the base URL); the
//            checkpoint is the next URL's path and query.
// Each item's external id is read at idField; it goes through the IntegrationMapping of the
// provider (a connection's own first) whose externalType matches, and the mapped record's
// entityIdField is the platform entity's id.

const dotted = z
  .string()
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "must be a dotted path such as data or result.items");

export const ResourceSchema = z
  .object({
    path: z.string().startsWith("/", "must start with / (relative to the base URL)"),
    externalType: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must be a short type such as contact"),
    pagination: z.enum(["page", "cursor", "link"]).nullable().default(null),
    itemsPath: dotted.default("data"),
    idField: dotted.default("id"),
    entityIdField: dotted.default("id"),
    pageParam: z.string().min(1).default("page"),
    cursorParam: z.string().min(1).default("cursor"),
    nextCursorPath: dotted.default("next_cursor"),
    /** Sent as <pageSizeParam>=<pageSize> when both are set. */
    pageSizeParam: z.string().min(1).nullable().default(null),
    pageSize: z.number().int().positive().max(10_000).nullable().default(null),
  })
  .strict();

export const ResourcesSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "a resource name is a letter then letters, digits, _ . -"),
  ResourceSchema,
);

export type SyncResource = z.output<typeof ResourceSchema>;
export type Pagination = "page" | "cursor" | "link";

/** Reads a dotted path out of a decoded JSON body. */
export function pick(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split("."))
    v =
      v !== null && typeof v === "object" && !Array.isArray(v) && Object.hasOwn(v, key)
        ? (v as Record<string, unknown>)[key]
        : undefined;
  return v;
}
