from syndicate.cli import entry

entry()
