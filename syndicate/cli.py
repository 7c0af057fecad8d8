"""The `syndicate` command: parse arguments, hand over to one command module, return its exit code.

A command is a module in syndicate/commands with NAME, HELP, add_arguments(parser) and
run(args) -> int; adding one is one line in COMMANDS.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from syndicate import __version__
from syndicate.commands import build as build_cmd
from syndicate.commands import check as check_cmd
from syndicate.commands import digest as digest_cmd
from syndicate.commands import run as run_cmd
from syndicate.commands import serve as serve_cmd
from syndicate.commands import snippet as snippet_cmd
from syndicate.commands import status as status_cmd

COMMANDS = (build_cmd, check_cmd, digest_cmd, run_cmd, status_cmd, snippet_cmd, serve_cmd)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="syndicate",
        description="RSS, Atom and JSON feeds and email digests for multilingual Jekyll news sites.",
    )
    top.add_argument("--version", action="version", version=f"syndicate {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.NAME, help=command.HELP, description=command.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
