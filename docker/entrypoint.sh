#!/usr/bin/env bash
# Movie Nexus container entrypoint: wait for the database, migrate, collect static files, then run a role.
#
#   entrypoint.sh web                 gunicorn (docker/gunicorn.conf.py) on $GUNICORN_BIND
#   entrypoint.sh worker [args…]      Celery worker
#   entrypoint.sh beat [args…]        Celery beat (run exactly one)
#   entrypoint.sh manage CMD [args…]  a one-off management command (sync_movies, createsuperuser…)
#
# MIGRATE_ON_START (true) and COLLECTSTATIC_ON_START (true, web only) switch the chores off;
# DB_WAIT_TIMEOUT (60) bounds the wait for the database.
set -euo pipefail

APP_DIR="${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.production}"
cd "$APP_DIR"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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
  "$PYTHON" "$APP_DIR/docker/bootstrap.py" "${args[@]}"
}

role="${1:-}"
[[ $# -gt 0 ]] && shift
case "$role" in
  web)
    bootstrap --collectstatic
    exec "$PYTHON" -m gunicorn --config "$APP_DIR/docker/gunicorn.conf.py" "$@"
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
