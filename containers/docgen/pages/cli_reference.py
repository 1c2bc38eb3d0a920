"""``docs/reference/cli.md``: every ``gan-engine`` subcommand and argument, read from the parser.

Built from the parser's actions rather than ``--help`` output, whose wrapping depends on the terminal
width and the Python version.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from containers.docgen.model.docstrings import one_line
from containers.docgen.renderers.markdown import GENERATED_BANNER, code, table

_INTRO = """\
`gan-engine COMMAND --help` prints the same for the installed version. Every command reports a
mistake the user can fix (an invalid spec, a missing file, missing weights) as one message per
problem on stderr, without a traceback, and exits with status 2."""


def _commands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return {name: (helps.get(name, ""), sub) for name, sub in action.choices.items()}
    return {}


def _metavar(action: argparse.Action) -> str:
    if action.choices is not None and action.metavar is None:
        return "{" + ",".join(str(choice) for choice in action.choices) + "}"
    if isinstance(action.metavar, str):
        return action.metavar
    return action.dest if not action.option_strings else action.dest.upper()


def _usage_part(action: argparse.Action) -> str:
    value = _metavar(action)
    if not action.option_strings:
        part = {"+": f"{value} [{value} ...]", "*": f"[{value} ...]", "?": f"[{value}]"}
        return part.get(str(action.nargs), value)
    flag = action.option_strings[-1]
    text = flag if action.nargs == 0 else f"{flag} {value}"
    if isinstance(action, argparse._AppendAction):
        text += " ..."
    return text if action.required else f"[{text}]"


_TYPES = {int: "int", float: "number", Path: "path"}


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "flag"
    if action.choices is not None:
        return "one of " + ", ".join(code(str(choice)) for choice in action.choices)
    kind = _TYPES.get(action.type, "") if isinstance(action.type, type) else ""
    value = code(_metavar(action)) + (f" ({kind})" if kind else "")
    if isinstance(action, argparse._AppendAction):
        value += ", repeatable"
    if action.nargs in ("+", "*"):
        value += ", one or more" if action.nargs == "+" else ", any number"
    return value


def _default(action: argparse.Action) -> str:
    if action.required or (not action.option_strings and action.nargs != "?"):
        return "**required**"
    if action.nargs == 0 or action.default in (None, [], argparse.SUPPRESS):
        return ""
    return code(str(action.default)) if action.default != "" else '`""`'


def _plain(text: str) -> str:
    """Help text (plain, not Markdown) escaped so ``<run_root>`` and ``*`` show as written."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")


def _command_block(name: str, help_text: str, sub: argparse.ArgumentParser) -> str:
    actions = [a for a in sub._actions if not isinstance(a, argparse._HelpAction)]
    usage = " ".join(["gan-engine", name, *(_usage_part(action) for action in actions)])
    rows = [
        [
            one_line(code(", ".join(action.option_strings) or _metavar(action))),
            one_line(_value(action)),
            one_line(_default(action)),
            one_line(_plain(action.help or "")),
        ]
        for action in actions
    ]
    summary = help_text[:1].upper() + help_text[1:] + "."
    parts = [f"## `gan-engine {name}`", summary, f"```text\n{usage}\n```"]
    if rows:
        parts.append(table(["argument", "value", "default", "description"], rows))
    return "\n\n".join(parts)


def cli_reference(parser: argparse.ArgumentParser) -> str:
    """The Markdown reference of ``parser``'s subcommands."""
    blocks = [GENERATED_BANNER, "# Command line", _INTRO]
    blocks += [_command_block(name, *found) for name, found in _commands(parser).items()]
    return "\n\n".join(blocks) + "\n"
