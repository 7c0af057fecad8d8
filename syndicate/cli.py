"""The `syndicate` command: parse arguments, hand over to one command module, return its exit code.

A command is a module in syndicate/commands with a docstring (its --help, with an example),
add_arguments(parser) and run(args) -> int; adding one is one line in COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from syndicate import __version__
from syndicate.system.lock import LockBusy  # standard library only

# name -> (module, one-line help). Only the module of the command being run is imported, so
# `syndicate build` never pays for the digest's or the daemon's libraries.
COMMANDS = {
    "build": ("syndicate.commands.build", "write every feed of a site"),
    "check": ("syndicate.commands.check", "lint every post without writing feeds"),
    "digest": ("syndicate.commands.digest", "write one email digest (HTML, text, .eml, .json) of a language's posts"),
    "run": ("syndicate.commands.run", "keep feeds and digests up to date on a schedule (a long-lived process)"),
    "status": ("syndicate.commands.status", "show the daemon's jobs: next run, last run, outcome, last error"),
    "snippet": ("syndicate.commands.snippet", 'print the <link rel="alternate"> tags for the site\'s <head>'),
    "serve": ("syndicate.commands.serve", "preview a built output folder over HTTP on 127.0.0.1"),
}


def parser(command: str | None = None, every: bool = False) -> argparse.ArgumentParser:
    """The argument parser, with the options of `command` loaded (of every command with `every`)."""
    top = argparse.ArgumentParser(
        prog="syndicate",
        description="RSS, Atom and JSON feeds and email digests for multilingual Jekyll news sites.",
    )
    top.add_argument("--version", action="version", version=f"syndicate {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if not every and name != command:
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    args = parser(chosen if chosen in COMMANDS else None).parse_args(argv)
    try:
        return args.run(args)
    except LockBusy as exc:  # build, digest and run each take the state folder's lock
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a full disk, a read-only mount: one line and its own status, no traceback
        from syndicate.system.failures import describe

        described = describe(exc, _state_folder(args))
        if described is None:
            raise
        print(f"error: {described[1]}", file=sys.stderr)
        return described[0]


def _state_folder(args: argparse.Namespace) -> os.PathLike | None:
    if not hasattr(args, "state") or not hasattr(args, "site"):
        return None
    from syndicate.commands.common import state_dir

    return state_dir(args)


def entry() -> None:
    """The console script: `main`, then leave without the interpreter's teardown.

    Tearing down frees every object one by one, which after a large build takes longer than some
    whole rebuilds (60-120 ms at 10,000 posts). Each command has closed its files and joined its
    workers and threads by the time it returns, so only buffered output is left to flush.
    """
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler (pyinstrument) or coverage reports as the interpreter exits
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `syndicate build ... | head`: the reader left; that is not our failure
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
