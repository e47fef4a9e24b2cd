import { caseFunctions, sq, varargFrom } from "./posix.js";
import { type CompletionOption, type CompletionTree, flagWords } from "./tree.js";

/** `word:description` entries, as zsh completion functions write them. */
function described(entries: readonly { word: string; description: string }[]): string {
  return `(${entries.map((e) => sq(`${e.word}:${e.description}`)).join(" ")})`;
}

function flagEntries(options: readonly CompletionOption[]): string {
  return described(options.flatMap((o) => o.flags.map((word) => ({ word, description: o.description }))));
}

const words = (list: readonly string[]) => `(${list.map(sq).join(" ")})`;

/**
 * The zsh script: an autoloadable `_intg` for a directory on $fpath, which also registers itself
 * when sourced. Candidates go to `compadd` with their descriptions; zsh matches them against the word.
 */
export function zshScript(tree: CompletionTree): string {
  const data = caseFunctions(
    tree,
    (node) =>
      [
        `__intg_cmds=${described(node.commands.map((c) => ({ word: c.name, description: c.description })))}`,
        `__intg_flags=${flagEntries(node.options)}`,
        `__intg_valued=${words(flagWords(node.options).valued)}`,
        `__intg_vararg=${varargFrom(node)}`,
      ].join("; "),
    (values) => `__intg_v=${words(values)}`,
  );
  return `#compdef intg
# zsh completion for intg, written by \`intg completion zsh\` from its command tree.
# Write it again after upgrading intg: it holds the commands of the version that wrote it.

${data}

# Adds word:description entries, described one per line.
__intg_add() {
  local -a add show
  local e
  for e in "$@"; do
    add+=("\${e%%:*}")
    if [[ -n \${e#*:} ]]; then show+=("\${(r:24:)\${e%%:*}} -- \${e#*:}"); else show+=("\${e%%:*}"); fi
  done
  (($#add)) && compadd -l -d show -- "\${add[@]}"
}

_intg() {
  local cur=\${words[CURRENT]} at= w i pos=0 skip=0 flag=
  local -a __intg_cmds __intg_flags __intg_valued __intg_v
  local -a __intg_gflags=${flagEntries(tree.globals)} __intg_gvalued=${words(flagWords(tree.globals).valued)}
  local __intg_vararg
  __intg_node ""
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if ((skip > 0)); then
      ((skip--))
      continue
    fi
    case $w in
      --) _files; return ;;
      --*=*) ;;
      -*)
        if ((\${__intg_valued[(Ie)$w]} || (\${#at} && \${__intg_gvalued[(Ie)$w]}))); then
          flag=$w
          skip=1
        fi
        ;;
      *)
        if __intg_node "\${at:+$at }$w"; then
          at=\${at:+$at }$w
          pos=0
        else
          ((pos++))
        fi
        ;;
    esac
  done
  if ((skip == 0)) && [[ $cur == --*=* ]]; then
    flag=\${cur%%=*}
    IPREFIX+="$flag="
    PREFIX=\${PREFIX#*=}
    skip=1
  fi
  if ((skip > 0)); then
    __intg_values "$at" "$flag"
    (($#__intg_v)) && compadd -- "\${__intg_v[@]}" || _files
    return
  fi
  if [[ $cur == -* ]]; then
    local -a flags=("\${__intg_flags[@]}")
    [[ -n $at ]] && flags+=("\${__intg_gflags[@]}")
    __intg_add "\${flags[@]}" || _files
    return
  fi
  ((__intg_vararg >= 0 && pos > __intg_vararg)) && pos=$__intg_vararg
  __intg_values "$at" "@$pos"
  local -a found=("\${__intg_cmds[@]}")
  (($#__intg_v)) && found+=("\${(@)^__intg_v}:")
  __intg_add "\${found[@]}" || _files
}

if [[ \${funcstack[1]} == _intg ]]; then
  _intg "$@"
elif (($+functions[compdef])); then
  compdef _intg intg
fi
`;
}
