#!/bin/sh
# The image's defaults (deploy/containers/Dockerfile): whatever JRP_<SERVICE>_* the deployment
# does not set. Then the command (serve, migrate, load-catalog, ...).
set -eu
: "${SERVICE:?the image is built with --build-arg SERVICE=<name>}"
prefix="JRP_$(printf '%s' "$SERVICE" | tr 'a-z' 'A-Z')_"
default() {  # NAME VALUE: export ${prefix}NAME=VALUE unless it is set
  if ! env | grep -q "^${prefix}$1="; then
    export "${prefix}$1=$2"
  fi
}
default HOST 0.0.0.0
default PORT 8000
default DATABASE_URL "sqlite+aiosqlite:////data/${SERVICE}.db"
default EMBEDDED_BUS_PATH /data/bus.sqlite3
umask 077
exec "$@"
