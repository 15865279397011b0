"""Shell completion scripts, generated from the CLI's own parser (so they never fall behind it):
commands, each command's options and choices, files and directories where a path is due."""

from __future__ import annotations

from tui.cli.arguments import CommandParser

PATH_OPTIONS = {"--store", "--config"}
PATH_ARGUMENTS = {"import": "files", "backup": "dirs"}
COMMAND_WORDS = {"rules": ("add", "list", "remove", "apply")}
"""The words a command takes first (its actions), where the parser has no choices for them."""


def _commands(parser: CommandParser) -> dict[str, CommandParser]:
    return dict(parser.commands)


def _options(parser: CommandParser) -> list[str]:
    return sorted({s for a in parser.arguments for s in a.option_strings if s.startswith("--") or len(s) == 2})


def _option_values(parser: CommandParser) -> dict[str, list[str]]:
    """Each option that takes one of a few values (`--output`, `--action`, ...) -> its values,
    over every command."""
    values: dict[str, list[str]] = {}
    for sub in _commands(parser).values():
        for action in sub.arguments:
            for name in action.option_strings:
                if action.choices and name.startswith("--"):
                    values.setdefault(name, [])
                    values[name] += [str(c) for c in action.choices if str(c) not in values[name]]
    return dict(sorted(values.items()))


def _choices(parser: CommandParser) -> list[str]:
    words: list[str] = list(COMMAND_WORDS.get(parser.prog.split()[-1], ()))
    for action in parser.arguments:
        if not action.option_strings and action.choices:
            words += [str(c) for c in action.choices]
    return words


def bash(parser: CommandParser) -> str:
    commands = _commands(parser)
    cases = []
    for name, sub in sorted(commands.items()):
        words = " ".join(_options(sub) + _choices(sub))
        path = PATH_ARGUMENTS.get(name)
        extra = ""
        if path == "files":
            extra = ' COMPREPLY+=($(compgen -f -- "$cur"))'
        elif path == "dirs":
            extra = ' COMPREPLY+=($(compgen -d -- "$cur"))'
        cases.append(f'        {name}) COMPREPLY=($(compgen -W "{words}" -- "$cur"));{extra} ;;')
    top = " ".join(sorted(commands) + _options(parser))
    body = "\n".join(cases)
    values = "".join(
        f'\n        {name}) COMPREPLY=($(compgen -W "{" ".join(words)}" -- "$cur")); return ;;'
        for name, words in _option_values(parser).items()
    )
    return f"""# bash completion for newsdesk: eval "$(newsdesk completion bash)" in ~/.bashrc
_newsdesk() {{
    local cur prev command i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "$prev" in
        --store|--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;{values}
    esac
    command=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            --store|--config) ((i++)) ;;
            -*) ;;
            *) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$command" in
        "") COMPREPLY=($(compgen -W "{top}" -- "$cur")) ;;
{body}
    esac
}}
complete -o default -F _newsdesk newsdesk
"""


def zsh(parser: CommandParser) -> str:
    commands = _commands(parser)
    described = []
    for name, sub in sorted(commands.items()):
        summary = (sub.description or "").split(";")[0][:70]  # cut first, then quote
        summary = summary.replace("'", "'\\''").replace(":", "\\:")
        described.append(f"        '{name}:{summary}'")
    cases = []
    for name, sub in sorted(commands.items()):
        words = " ".join(_options(sub) + _choices(sub))
        files = " _files" if name in PATH_ARGUMENTS else ""
        cases.append(f"        {name}) compadd -- {words};{files} ;;")
    command_list = "\n".join(described)
    body = "\n".join(cases)
    top_options = " ".join(_options(parser))
    values = "".join(
        f"\n        {name}) compadd -- {' '.join(words)}; return ;;" for name, words in _option_values(parser).items()
    )
    return f"""#compdef newsdesk
# zsh completion for newsdesk: newsdesk completion zsh > "${{fpath[1]}}/_newsdesk"
_newsdesk() {{
    local -a commands
    commands=(
{command_list}
    )
    local command="" i
    for ((i = 2; i < CURRENT; i++)); do
        case "${{words[i]}}" in
            --store|--config) ((i++)) ;;
            -*) ;;
            *) command="${{words[i]}}"; break ;;
        esac
    done
    case "${{words[CURRENT-1]}}" in
        --store|--config) _files; return ;;{values}
    esac
    case "$command" in
        "") _describe 'command' commands; compadd -- {top_options} ;;
{body}
    esac
}}
_newsdesk "$@"
"""
