import type { CompletionNode, CompletionTree } from "./tree.js";

/** A word in single quotes, for bash and zsh. */
export function sq(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The values offered for a flag or a positional argument (`@0`, `@1`, …) of some commands. */
export interface ValueEntry {
  /** The command paths it applies to, or every command (a global flag). */
  paths: readonly string[] | "any";
  key: string;
  values: readonly string[];
}

export function valueEntries(tree: CompletionTree): ValueEntry[] {
  const entries: ValueEntry[] = [];
  for (const node of tree.nodes) {
    for (const o of node.options)
      if (o.choices.length) for (const key of o.flags) entries.push({ paths: node.paths, key, values: o.choices });
    node.args.forEach((a, i) => {
      if (a.choices.length) entries.push({ paths: node.paths, key: `@${i}`, values: a.choices });
    });
  }
  for (const o of tree.globals)
    if (o.choices.length) for (const key of o.flags) entries.push({ paths: "any", key, values: o.choices });
  return entries;
}

/** The position from which every further word is the last, variadic argument; -1 when there is none. */
export function varargFrom(node: CompletionNode): number {
  return node.args.at(-1)?.variadic ? node.args.length - 1 : -1;
}

/**
 * The data as two shell functions, the same `case` syntax in bash and zsh: `__intg_node PATH` sets the
 * command's words (returning 1 when PATH is no command) and `__intg_values PATH FLAG|@N` sets `__intg_v`.
 */
export function caseFunctions(
  tree: CompletionTree,
  setNode: (node: CompletionNode) => string,
  setValues: (values: readonly string[]) => string,
): string {
  const nodes = tree.nodes.map((n) => `    ${n.paths.map(sq).join("|")}) ${setNode(n)} ;;`);
  const values = valueEntries(tree).map((e) => {
    const patterns = e.paths === "any" ? [`*${sq(`|${e.key}`)}`] : e.paths.map((p) => sq(`${p}|${e.key}`));
    return `    ${patterns.join("|")}) ${setValues(e.values)} ;;`;
  });
  return [
    "__intg_node() {",
    '  case "$1" in',
    ...nodes,
    "    *) return 1 ;;",
    "  esac",
    "}",
    "",
    "__intg_values() {",
    `  ${setValues([])}`,
    '  case "$1|$2" in',
    ...values,
    "  esac",
    "}",
  ].join("\n");
}
