import { Argument, type Command } from "commander";
import { bashScript } from "../../cli/completion/bash.js";
import { fishScript } from "../../cli/completion/fish.js";
import { completionTree } from "../../cli/completion/tree.js";
import { zshScript } from "../../cli/completion/zsh.js";
import type { Deps } from "../../cli/deps.js";
import type { ContextFactory } from "../../cli/program.js";
import { examples } from "../examples.js";
import { jsonFields } from "../../cli/json-fields.js";
import { fieldsOf } from "../../types/fields.js";

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;
type Shell = keyof typeof SCRIPTS;

/** `intg completion <shell> --json`: the script, for a tool that installs it. */
interface CompletionScript {
  shell: Shell;
  script: string;
}
const COMPLETION_FIELDS = fieldsOf<CompletionScript>()({ shell: true, script: true });

const HELP = `
Install it once per shell (write it again after upgrading intg):

  bash  needs the bash-completion package:
          mkdir -p ~/.local/share/bash-completion/completions
          intg completion bash > ~/.local/share/bash-completion/completions/intg
        or, without it, in ~/.bashrc:  eval "$(intg completion bash)"

  zsh   into a directory on $fpath, before compinit runs in ~/.zshrc:
          mkdir -p ~/.zfunc && intg completion zsh > ~/.zfunc/_intg
          # in ~/.zshrc: fpath=(~/.zfunc $fpath); autoload -U compinit; compinit
        or, in ~/.zshrc after compinit:  eval "$(intg completion zsh)"

  fish    intg completion fish > ~/.config/fish/completions/intg.fish

Then open a new shell. With --json it prints {"shell", "script"}.`;

/**
 * `intg completion <shell>`. The script holds the whole command tree, written out when it is
 * generated, rather than calling intg back on every TAB: a TAB then answers at once, with no Node
 * start-up (~0.1 s) and no database in reach, and what it completes (commands, flags, choices) is
 * fixed by the installed version anyway. It cannot drift from the commands it was generated from;
 * it only ages with an upgrade, which the help says to follow by writing it again.
 */
export function registerCompletion(
  completion: Command,
  context: ContextFactory,
  fullProgram: (deps: Deps) => Promise<Command>,
): void {
  jsonFields(completion, COMPLETION_FIELDS)
    .addArgument(new Argument("<shell>", "the shell to complete in").choices(Object.keys(SCRIPTS)))
    .addHelpText("after", HELP)
    .addHelpText(
      "after",
      examples([
        ["Install bash completion", "intg completion bash > ~/.local/share/bash-completion/completions/intg"],
        ["Install zsh completion into a directory on $fpath", "intg completion zsh > ~/.zfunc/_intg"],
        ["Install fish completion", "intg completion fish > ~/.config/fish/completions/intg.fish"],
      ]),
    )
    .action(async (shell: Shell, _opts, cmd: Command) => {
      const ctx = context(cmd);
      const script = SCRIPTS[shell](completionTree(await fullProgram(ctx.deps)));
      const view: CompletionScript = { shell, script };
      if (ctx.out.json) ctx.out.printJson(view);
      else ctx.out.print(script);
    });
}
