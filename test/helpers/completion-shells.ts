import { execFileSync } from "node:child_process";

// Each helper asks a real shell for the candidates at the end of a command line, with a completion
// script installed from a file. A shell that is not installed throws (ENOENT): the test fails.

const run = (file: string, args: string[], env?: Record<string, string>): string[] =>
  execFileSync(file, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: 20_000 })
    .split("\n")
    .filter((line) => line !== "");

// Sources the script, then calls the function `complete -p intg` names, with the words bash would
// give it (COMP_WORDBREAKS splits `--flag=value` into `--flag`, `=` and `value`).
const BASH = `
source "$1" && shift
spec=$(complete -p intg) || exit 9
[[ $spec == *"-o default"* ]] || exit 10
fn=\${spec#*-F } && fn=\${fn%% *}
COMP_WORDS=("$@") && COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
COMP_LINE="$*" && COMP_POINT=\${#COMP_LINE}
"$fn" intg "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`;

/** The words bash offers for the last of `words` (none: bash offers file names, `-o default`). */
export function bashComplete(script: string, words: string[]): string[] {
  return run("bash", ["--norc", "--noprofile", "-c", BASH, "bash", script, ...words]);
}

// compinit registers the function (from #compdef on $fpath, or compdef when sourced); compadd and
// _files only work inside a completion widget, so they are replaced by stand-ins that print what
// they were given. The compadd stand-in keeps the words that begin with $PREFIX, as zsh's default
// matching does; _files prints <files>.
const ZSH = `
mode=$1 script=$2 && shift 2
if [[ $mode == fpath ]]; then fpath=(\${script:h} $fpath); fi
autoload -U compinit && compinit -u -D
if [[ $mode == source ]]; then source $script; fi
[[ $_comps[intg] == _intg ]] || exit 9
compadd() { local i=\${@[(i)--]}; print -rl -- \${(M)\${@[i+1,-1]}:#\${PREFIX}*} }
_files() { print -r -- '<files>' }
words=("$@") && CURRENT=$# && PREFIX=\${words[-1]} && IPREFIX=
_intg`;

/**
 * The words zsh's `_intg` adds for the last of `words`. `fpath`: the script is the file `_intg` in a
 * directory put on $fpath (autoloaded by compinit); `source`: it is sourced after compinit.
 */
export function zshComplete(script: string, words: string[], mode: "fpath" | "source"): string[] {
  return run("zsh", ["-f", "-c", ZSH, "zsh", mode, script, ...words]);
}

/**
 * What fish completes for `line`, without the descriptions. `script` is sourced, or, when null,
 * fish finds intg.fish in its completions directory under XDG_CONFIG_HOME by itself.
 */
export function fishComplete(script: string | null, line: string, env?: Record<string, string>): string[] {
  const command = script === null ? "complete -C $argv[1]" : "source $argv[2]; complete -C $argv[1]";
  const args = script === null ? ["-c", command, line] : ["--no-config", "-c", command, line, script];
  return run("fish", args, env).map((l) => l.split("\t")[0]!);
}
