#!/usr/bin/env bash
# Movie Nexus container entrypoint: wait for the database, migrate, collect static files, then run a role.
#
#   entrypoint.sh web [args…]         granian (docker/granian_web.py) on $WEB_BIND;
#                                     WEB_SERVER=gunicorn: gunicorn (docker/gunicorn.conf.py)
#   entrypoint.sh worker [args…]      Celery worker
#   entrypoint.sh beat [args…]        Celery beat (run exactly one)
#   entrypoint.sh manage CMD [args…]  a one-off management command (sync_movies, createsuperuser…)
#
# MIGRATE_ON_START (true) and COLLECTSTATIC_ON_START (true, web only) switch the chores off;
# DB_WAIT_TIMEOUT (60) bounds the wait for the database.
# WEB_BIND (0.0.0.0:8000), WEB_WORKERS and WEB_THREADS apply to either web server;
# DB_STATEMENT_TIMEOUT_MS defaults to 30000 for the web servers (never for migrations).
set -euo pipefail

APP_DIR="${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.production}"
cd "$APP_DIR"

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

is_true() {
  case "${1,,}" in 1|true|yes|on) return 0 ;; *) return 1 ;; esac
}

bootstrap() {  # bootstrap [--collectstatic]
  local args=()
  is_true "${MIGRATE_ON_START:-true}" && args+=(--migrate)
  if [[ "${1:-}" == "--collectstatic" ]] && is_true "${COLLECTSTATIC_ON_START:-true}"; then
    args+=(--collectstatic)
  fi
  # Migrations may run long: never under the web servers' statement timeout.
  DB_STATEMENT_TIMEOUT_MS=0 "$PYTHON" "$APP_DIR/docker/bootstrap.py" "${args[@]}"
}

# Prometheus multiprocess files belong to one server run: a new run starts from an empty directory
# (the files of the workers of a previous run would otherwise be summed in forever).
clear_metrics_dir() {
  local dir="${PROMETHEUS_MULTIPROC_DIR:-}"
  if [[ -n "$dir" && -d "$dir" ]]; then
    find "$dir" -maxdepth 1 -type f -name '*.db' -delete
  fi
}

role="${1:-}"
[[ $# -gt 0 ]] && shift
case "$role" in
  web)
    server="${WEB_SERVER:-granian}"
    server="${server,,}"
    if [[ "$server" != granian && "$server" != gunicorn ]]; then
      echo "entrypoint: WEB_SERVER must be granian or gunicorn, not '${server}'" >&2
      exit 2
    fi
    bootstrap --collectstatic
    clear_metrics_dir
    # A request's SQL statement is cancelled after 30 s (a 503), unless set otherwise.
    export DB_STATEMENT_TIMEOUT_MS="${DB_STATEMENT_TIMEOUT_MS:-30000}"
    if [[ "$server" == gunicorn ]]; then
      export GUNICORN_WORKERS="${GUNICORN_WORKERS:-${WEB_WORKERS:-}}"
      export GUNICORN_THREADS="${GUNICORN_THREADS:-${WEB_THREADS:-}}"
      exec "$PYTHON" -m gunicorn --config "$APP_DIR/docker/gunicorn.conf.py" \
        --bind "${WEB_BIND:-${GUNICORN_BIND:-0.0.0.0:8000}}" "$@"
    fi
    exec "$PYTHON" "$APP_DIR/docker/granian_web.py" "$@"
    ;;
  worker)
    bootstrap
    exec "$PYTHON" -m celery --app config.celery:app --workdir "$APP_DIR/backend" worker \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" \
      --hostname "worker@%h" "$@"
    ;;
  beat)
    bootstrap
    exec "$PYTHON" -m celery --app config.celery:app --workdir "$APP_DIR/backend" beat \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/var/lib/movie-nexus/celerybeat-schedule}" "$@"
    ;;
  manage)
    [[ $# -gt 0 ]] || usage
    bootstrap
    exec "$PYTHON" "$APP_DIR/manage.py" "$@"
    ;;
  *)
    echo "entrypoint: unknown role '${role}'" >&2
    usage
    ;;
esac
