/** What a completion script needs to know: commands, their flags, and the policy's model aliases. */
export interface CompletionSpec {
  commands: { name: string; description: string; flags: CompletionFlag[]; values?: string[] | undefined }[];
  aliases: string[];
}

export interface CompletionFlag {
  short?: string | undefined;
  long?: string | undefined;
  description: string;
  /** The flag takes a value. */
  value: boolean;
  /** The value is a file. */
  file: boolean;
  /** The value is one of these (model aliases, choices). */
  choices?: string[] | undefined;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

// Aliases and command names are [A-Za-z0-9_.-]; descriptions are frugal's own, quoted for each shell.
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const words = (list: readonly string[]) => list.join(' ');

function flagWords(f: CompletionFlag): string[] {
  return [f.short, f.long].filter((x): x is string => x !== undefined);
}

function bash(spec: CompletionSpec): string {
  const valueCases: string[] = [];
  const fileFlags = new Set<string>();
  const choiceFlags = new Map<string, string[]>();
  const valueFlags = new Set<string>();
  for (const c of spec.commands) {
    for (const f of c.flags) {
      for (const w of flagWords(f)) {
        if (f.choices) choiceFlags.set(w, f.choices);
        else if (f.file) fileFlags.add(w);
        else if (f.value) valueFlags.add(w);
      }
    }
  }
  for (const [flag, choices] of choiceFlags) valueCases.push(`    ${flag}) COMPREPLY=( $(compgen -W ${sq(words(choices))} -- "$cur") ); return ;;`);
  if (fileFlags.size) valueCases.push(`    ${[...fileFlags].join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`);
  if (valueFlags.size) valueCases.push(`    ${[...valueFlags].join('|')}) return ;;`);
  const commandCases = spec.commands.map((c) => `    ${c.name}) opts=${sq(words(c.flags.flatMap(flagWords)))}; values=${sq(words(c.values ?? []))} ;;`);
  return `# frugal completion for bash: source it, or put it in ~/.local/share/bash-completion/completions/frugal
_frugal() {
  local cur prev cmd opts values
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=( $(compgen -W ${sq(words(spec.commands.map((c) => c.name)))} -- "$cur") )
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${valueCases.join('\n')}
  esac
  case "$cmd" in
${commandCases.join('\n')}
    *) opts=''; values='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  elif [[ -n "$values" ]]; then
    COMPREPLY=( $(compgen -W "$values" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _frugal frugal
`;
}


function zsh(spec: CompletionSpec): string {
  const commands = spec.commands.map((c) => `    ${sq(`${c.name}:${c.description.replace(/:/g, '\\:')}`)}`);
  const cases = spec.commands.map((c) => {
    const specs = c.flags.flatMap((f) => {
      const action = f.choices ? `:value:(${words(f.choices)})` : f.file ? ':file:_files' : f.value ? ':value:' : '';
      const desc = `[${f.description.replace(/[[\]:\\']/g, ' ')}]`;
      return flagWords(f).map((w) => `'${w}${desc}${action}'`);
    });
    const rest = c.values?.length ? ` '*:value:(${words(c.values)})'` : " '*:file:_files'";
    return `    ${c.name}) _arguments -s ${specs.join(' ')}${rest} ;;`;
  });
  return `#compdef frugal
# frugal completion for zsh: put it in a folder of your $fpath as _frugal, or source it after compinit
_frugal() {
  local -a commands
  commands=(
${commands.join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  shift words
  (( CURRENT-- ))
  case $words[1] in
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _frugal "$@"; else compdef _frugal frugal; fi
`;
}

function fish(spec: CompletionSpec): string {
  const lines = ['# frugal completion for fish: put it in ~/.config/fish/completions/frugal.fish', 'complete -c frugal -f'];
  const names = words(spec.commands.map((c) => c.name));
  for (const c of spec.commands) lines.push(`complete -c frugal -n ${sq(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${sq(c.description)}`);
  for (const c of spec.commands) {
    const when = `-n ${sq(`__fish_seen_subcommand_from ${c.name}`)}`;
    if (c.values?.length) lines.push(`complete -c frugal ${when} -a ${sq(words(c.values))}`);
    for (const f of c.flags) {
      const parts = [`complete -c frugal ${when}`];
      if (f.short) parts.push(`-s ${f.short.replace(/^-/, '')}`);
      if (f.long) parts.push(`-l ${f.long.replace(/^--/, '')}`);
      if (f.choices) parts.push(`-x -a ${sq(words(f.choices))}`);
      else if (f.file) parts.push('-r -F');
      else if (f.value) parts.push('-x');
      parts.push(`-d ${sq(f.description)}`);
      lines.push(parts.join(' '));
    }
  }
  return lines.join('\n') + '\n';
}

export const COMPLETION: Record<Shell, (spec: CompletionSpec) => string> = { bash, zsh, fish };
