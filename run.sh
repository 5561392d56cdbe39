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
# The served app also refuses to start without its keys and database (lms/production.py):
# this trial on one machine keeps them under instance/ (made once, readable by root only)
# and its data in SQLite there. Production sets all four in /etc/rm-academy/env (README).
mkdir -p instance
for key in secret_key audit_key; do
  [ -s "instance/$key" ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' > "instance/$key")
done
export SECRET_KEY="${SECRET_KEY:-$(cat instance/secret_key)}"
export LMS_AUDIT_KEY="${LMS_AUDIT_KEY:-$(cat instance/audit_key)}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/instance/lms.sqlite3}"
python3 -m flask db upgrade
python3 -m flask demo --password "${LMS_DEMO_PASSWORD:-demo-pass-2024}"
exec python3 -m gunicorn --bind "127.0.0.1:${PORT:-5000}" wsgi:app  # settings: gunicorn.conf.py
