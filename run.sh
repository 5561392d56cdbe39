#!/usr/bin/env bash
# One command: install, prepare the SQLite database with the demo data, serve
# on http://127.0.0.1:5000 . Sign in as admin / hr / trainer / mentor / learner
# with the demo password (LMS_DEMO_PASSWORD, default demo-pass-2024).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
export FLASK_APP=wsgi.py
# The address printed in certificates' QR codes and put in e-mail links; the app
# refuses to start without it (a request's Host header never decides it).
export LMS_BASE_URL="${LMS_BASE_URL:-http://127.0.0.1:${PORT:-5000}}"
python3 -m flask db upgrade
python3 -m flask demo --password "${LMS_DEMO_PASSWORD:-demo-pass-2024}"
exec python3 -m gunicorn --bind "127.0.0.1:${PORT:-5000}" wsgi:app  # settings: gunicorn.conf.py
