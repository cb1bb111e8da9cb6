#!/usr/bin/env bash
# The one entry point of the tdkt image (deploy/Dockerfile) and of the multi-process run
# (deploy/multiprocess.py): the first argument chooses the role, every setting is a TDKT_* or
# PREFECT_* environment variable (deploy/.env.example).
#   api      the HTTP API: uvicorn on $TDKT_API_HOST:$TDKT_API_PORT with $TDKT_API_WORKERS processes
#   worker   a Prefect worker of the process work pool "tdkt" (runs the flows; deploy/prefect.yaml names it)
#   migrate  create or migrate the tdkt schema (Alembic), then exit
#   deploy   create the work pool and register the deployments of deploy/prefect.yaml, then exit
#   demo     load the Hà Nội demo data (staging only), then exit
# Anything else is run as given (e.g. `tdkt rulesets move ...`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${TDKT_BIN:-$(dirname "$(command -v python)")}"
pool=tdkt  # the work pool of deploy/prefect.yaml

case "${1:-}" in
  api)
    exec "$bin/python" -m uvicorn service.api.app:create_app --factory \
      --host "${TDKT_API_HOST:-0.0.0.0}" --port "${TDKT_API_PORT:-8000}" \
      --workers "${TDKT_API_WORKERS:-2}" --loop uvloop --proxy-headers --no-access-log
    ;;
  worker)
    exec "$bin/prefect" worker start --pool "$pool" --type process --name "${TDKT_WORKER_NAME:-tdkt-worker-$(hostname)}"
    ;;
  migrate)
    exec "$bin/tdkt" db upgrade
    ;;
  deploy)
    "$bin/prefect" work-pool create "$pool" --type process --overwrite
    exec "$bin/prefect" --no-prompt deploy --all --prefect-file deploy/prefect.yaml
    ;;
  demo)
    exec "$bin/tdkt" demo load
    ;;
  "")
    echo "usage: entrypoint.sh api|worker|migrate|deploy|demo|<command>" >&2
    exit 2
    ;;
  *)
    exec "$@"
    ;;
esac
