#!/usr/bin/env bash
# The two commands of the README, on a fresh machine with Python 3.11+ and git:
#   bash deploy/local.sh start   set up, migrate, load the Hà Nội demo, start everything (tdkt up)
#   bash deploy/local.sh test    set up and run the whole test suite (SQLite + PostgreSQL)
#   bash deploy/local.sh faults  run the fault suite at full size and write docs/reliability.md
# Set-up is a virtualenv in .venv with the versions pinned in requirements.lock; it is redone
# only when pyproject.toml or requirements.lock change.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin="${PYTHON:-python3}"
"$python_bin" - <<'PY' || { echo "tdkt needs Python 3.11 or newer (set PYTHON=...)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$python_bin" -m venv .venv
  fi
  local stamp=.venv/.tdkt-installed want
  want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
    echo "$want" > "$stamp"
  fi
}

postgres_url_if_reachable() {
  # The PostgreSQL half of the suite runs when a server answers; .ci/run makes sure one does.
  if [ -z "${TDKT_TEST_POSTGRES_URL:-}" ] && .venv/bin/python - <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
except OSError:
    sys.exit(1)
PY
  then
    export TDKT_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
  fi
  if [ -z "${TDKT_TEST_POSTGRES_URL:-}" ]; then
    echo "note: no PostgreSQL at 127.0.0.1:5432 — PostgreSQL tests will be skipped" >&2
  fi
}

case "${1:-}" in
  start)
    setup
    shift
    .venv/bin/tdkt config check
    .venv/bin/tdkt db upgrade
    .venv/bin/tdkt demo load
    cat <<'TEXT'

Starting tdkt: Prefect server (UI http://127.0.0.1:4200), the flows as scheduled deployments,
the API (http://127.0.0.1:8000/docs) and the pages (http://127.0.0.1:8000/web/) on the SQLite
database var/tdkt.db. Ctrl-C stops all.
Demo accounts (password tdkt-demo-2026): cb.sogddt, tt.sogddt, ban.tdkt, chutich, admin, ...
TEXT
    exec .venv/bin/tdkt up "$@"
    ;;
  test)
    setup
    postgres_url_if_reachable
    shift
    exec .venv/bin/python -m pytest -q "$@"
    ;;
  faults)
    setup
    postgres_url_if_reachable
    exec .venv/bin/python -m tests.faults.report
    ;;
  *)
    echo "usage: bash deploy/local.sh start|test|faults" >&2
    exit 2
    ;;
esac
