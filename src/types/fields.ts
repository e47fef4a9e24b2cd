// The field names `--json a,b` may select from a view, as a list the CLI checks before a command
// runs (a field name wrong after the write would lose what the write printed once). The list is
// built from an object literal typed by the view, so it cannot drift from the view's type.

/** Every key of any member of a union: keyof a union is only the keys all its members share. */
type AllKeys<T> = T extends unknown ? keyof T : never;

/** A view's field names (for a command that prints a list, the view of one element). */
export type JsonFieldList<T> = readonly (AllKeys<T> & string)[];

/**
 * `fieldsOf<ApiKeyInfo>()({ id: true, name: true, … })`: the names, in that order. The literal
 * must name every field of the view (of every member of a union) and no other, or the type check
 * fails; so a field added to the view is selectable the day it is printed. A view that extends
 * another names only what it adds: `fieldsOf<ApiKeyCreated>().plus(API_KEY_FIELDS)({ key: true })`.
 */
export function fieldsOf<T>() {
  type Name = AllKeys<T> & string;
  const list = (fields: { readonly [K in Name]: true }): JsonFieldList<T> =>
    Object.freeze(Object.keys(fields)) as JsonFieldList<T>;
  const plus =
    <B extends readonly Name[]>(base: B) =>
    (rest: { readonly [K in Exclude<Name, B[number]>]: true }): JsonFieldList<T> =>
      Object.freeze([...base, ...Object.keys(rest)]) as JsonFieldList<T>;
  return Object.assign(list, { plus });
}
