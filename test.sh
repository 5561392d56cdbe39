#!/usr/bin/env bash
# One command: install what the tests need and run the whole suite (unit,
# HTTP, access matrix, browser). Uses SQLite unless TEST_DATABASE_URL names a
# PostgreSQL database. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
exec python3 -m pytest -n 2 --dist loadgroup -p no:cacheprovider "$@"
