/** One example: what it does, then a command that runs as written (it starts with `intg `). */
export type Example = readonly [what: string, command: string];

/**
 * The "Examples:" section that ends every help page, as `gh` prints it: a comment saying what
 * each does, then the command, so a line can be copied whole. test/unit/help-tree.test.ts parses
 * every one against the command tree. Give it to `.addHelpText("after", …)` last, so it ends the page.
 */
export function examples(list: readonly Example[]): string {
  const blocks = list.map(([what, command]) => `  # ${what}\n  ${command}`);
  return `\nExamples:\n${blocks.join("\n\n")}`;
}
