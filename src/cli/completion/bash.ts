import { caseFunctions, sq, varargFrom } from "./posix.js";
import { type CompletionTree, flagWords } from "./tree.js";

/**
 * The bash script. Words go through `compgen -W`, which splits on blanks: command names, flags and
 * choices have none. bash splits `--flag=value` into three words at `=` (COMP_WORDBREAKS), so the
 * walk counts `=` as part of the flag before it. `-o default` gives file names where nothing is
 * offered (a flag's free value, an argument), as gh's script does.
 */
export function bashScript(tree: CompletionTree): string {
  const globals = flagWords(tree.globals);
  const data = caseFunctions(
    tree,
    (node) => {
      const flags = flagWords(node.options);
      return [
        `__intg_cmds=${sq(node.commands.map((c) => c.name).join(" "))}`,
        `__intg_flags=${sq(flags.all.join(" "))}`,
        `__intg_valued=${sq(flags.valued.join(" "))}`,
        `__intg_vararg=${varargFrom(node)}`,
      ].join("; ");
    },
    (values) => `__intg_v=${sq(values.join(" "))}`,
  );
  return `# bash completion for intg, written by \`intg completion bash\` from its command tree.
# Write it again after upgrading intg: it holds the commands of the version that wrote it.

${data}

_intg() {
  local cur=\${COMP_WORDS[COMP_CWORD]} at= w i pos=0 skip=0 flag=
  local __intg_cmds __intg_flags __intg_valued __intg_vararg __intg_v
  local __intg_gflags=${sq(globals.all.join(" "))} __intg_gvalued=${sq(globals.valued.join(" "))}
  COMPREPLY=()
  __intg_node ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip > 0)); then
      skip=$((skip - 1))
      continue
    fi
    case $w in
      --) return 0 ;;
      =) skip=1 ;;
      -*)
        if [[ " $__intg_valued \${at:+$__intg_gvalued} " == *" $w "* ]]; then
          flag=$w
          skip=1
          [[ \${COMP_WORDS[i + 1]} == = ]] && skip=2
        fi
        ;;
      *)
        if __intg_node "\${at:+$at }$w"; then
          at=\${at:+$at }$w
          pos=0
        else
          pos=$((pos + 1))
        fi
        ;;
    esac
  done
  if ((skip > 0)); then
    [[ $cur == = ]] && cur=
    __intg_values "$at" "$flag"
    [[ -n $__intg_v ]] && COMPREPLY=($(compgen -W "$__intg_v" -- "$cur"))
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$__intg_flags \${at:+$__intg_gflags}" -- "$cur"))
    return 0
  fi
  ((__intg_vararg >= 0 && pos > __intg_vararg)) && pos=$__intg_vararg
  __intg_values "$at" "@$pos"
  COMPREPLY=($(compgen -W "$__intg_cmds $__intg_v" -- "$cur"))
}

complete -o default -F _intg intg
`;
}
