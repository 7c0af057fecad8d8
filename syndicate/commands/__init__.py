"""One module per `syndicate` command; shared option bundles live in common.py."""
