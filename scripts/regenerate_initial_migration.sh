#!/usr/bin/env bash
# Development only, until the first release: rebuild the single initial
# migration from the models. After a release, add migrations with
# `flask db migrate -m "..."` instead and never edit an applied one.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/*.py
LMS_INSTANCE_DIR="$tmp" DATABASE_URL= LMS_BASE_URL=http://127.0.0.1:5000 flask db migrate -m "initial schema" >/dev/null
rm -rf "$tmp"
ls migrations/versions/
