"""Where syndicate meets the operating system: atomic files, the state lock, worker processes, errors."""
