"""`python -m smsbus.cli.configuration [--check]` (`make env-example`): write `.env.example` and
every README's settings table from the settings classes; with --check, only say which are stale."""

from __future__ import annotations

import argparse
import sys

from smsbus.cli import generated
from smsbus.cli.configuration.catalog import catalog
from smsbus.cli.configuration.render import generated_files
from smsbus.cli.stack.config import find_repo_root


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m smsbus.cli.configuration", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = parser.parse_args()
    repo = find_repo_root()
    stale = [
        path.relative_to(repo)
        for path, wanted in generated_files(repo, catalog(repo)).items()
        if generated.refresh(path, wanted, check_only=args.check)
    ]
    verb = "out of date (run `make env-example`)" if args.check else "written"
    for path in stale:
        print(f"{path}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
