import { valueEntries, varargFrom } from "./posix.js";
import { type CompletionOption, type CompletionTree, flagWords } from "./tree.js";

/** A word in fish's single quotes, where only \\ and \' are escapes. */
function fq(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** `word<TAB>description` candidates, as fish prints them beside each other. */
function described(entries: readonly { word: string; description: string }[]): string {
  return entries.map((e) => (e.description ? `${fq(e.word)}\\t${fq(e.description)}` : fq(e.word))).join(" ");
}

function flagEntries(options: readonly CompletionOption[]): string {
  return described(options.flatMap((o) => o.flags.map((word) => ({ word, description: o.description }))));
}

const words = (list: readonly string[]) => list.map(fq).join(" ");

/**
 * The fish script, for ~/.config/fish/completions/intg.fish. One function prints the candidates
 * and fish matches them against the token; file names are offered only where it prints none.
 */
export function fishScript(tree: CompletionTree): string {
  const nodes = tree.nodes.map((n) =>
    [
      `    case ${n.paths.map(fq).join(" ")}`,
      `      set -g __intg_cmds ${described(n.commands.map((c) => ({ word: c.name, description: c.description })))}`,
      `      set -g __intg_flags ${flagEntries(n.options)}`,
      `      set -g __intg_valued ${words(flagWords(n.options).valued)}`,
      `      set -g __intg_vararg ${varargFrom(n)}`,
      // set keeps the $status before it: a failed test earlier would be this function's answer.
      "      return 0",
    ].join("\n"),
  );
  const values = valueEntries(tree).map((e) => {
    const patterns = e.paths === "any" ? [fq(`*|${e.key}`)] : e.paths.map((p) => fq(`${p}|${e.key}`));
    return `    case ${patterns.join(" ")}\n      set -g __intg_v ${words(e.values)}`;
  });
  return `# fish completion for intg, written by \`intg completion fish\` from its command tree.
# Write it again after upgrading intg: it holds the commands of the version that wrote it.

function __intg_node --argument-names at
  switch "$at"
${nodes.join("\n")}
    case '*'
      return 1
  end
end

function __intg_values --argument-names at key
  set -g __intg_v
  switch "$at|$key"
${values.join("\n")}
  end
end

function __intg_complete
  set -l gflags ${flagEntries(tree.globals)}
  set -l gvalued ${words(flagWords(tree.globals).valued)}
  set -l tokens (commandline -opc)
  set -e tokens[1]
  set -l cur (commandline -ct)
  set -l at ''
  set -l pos 0
  set -l skip 0
  set -l flag ''
  __intg_node ''
  for w in $tokens
    if test $skip -gt 0
      set skip (math $skip - 1)
      continue
    end
    switch $w
      case -- --
        return
      case '--*=*'
      case '-*'
        if contains -- $w $__intg_valued; or begin; test -n "$at"; and contains -- $w $gvalued; end
          set flag $w
          set skip 1
        end
      case '*'
        set -l next $w
        test -n "$at"; and set next "$at $w"
        if __intg_node $next
          set at $next
          set pos 0
        else
          set pos (math $pos + 1)
        end
    end
  end
  set -l prefix ''
  if test $skip -eq 0; and string match -q -- '--*=*' $cur
    set flag (string split -m1 = -- $cur)[1]
    set prefix "$flag="
    set skip 1
  end
  if test $skip -gt 0
    __intg_values $at $flag
    for v in $__intg_v
      echo "$prefix$v"
    end
    return
  end
  if string match -q -- '-*' $cur
    __intg_print $__intg_flags
    test -n "$at"; and __intg_print $gflags
    return
  end
  test $__intg_vararg -ge 0 -a $pos -gt $__intg_vararg; and set pos $__intg_vararg
  __intg_values $at "@$pos"
  __intg_print $__intg_cmds $__intg_v
end

# printf alone would print an empty line for an empty list, a candidate that hides file names.
function __intg_print
  for c in $argv
    printf '%s\\n' $c
  end
end

# Where the function offers nothing (a flag's free value, an argument), fish offers file names.
function __intg_offers_nothing
  set -l offered (__intg_complete)
  test (count $offered) -eq 0
end

complete -c intg -e
complete -c intg -f -a '(__intg_complete)'
complete -c intg -n __intg_offers_nothing -F
`;
}
