#!/usr/bin/env bash
# Installs what the nginx module's build, tests and demos need, where missing: Debian's nginx and
# nginx-dev (and wrk with the argument `wrk`), with no system nginx started (servers/apt-need.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=(nginx:nginx /usr/share/nginx/src/conf_flags:nginx-dev)
[ "${1:-}" != wrk ] || need+=(wrk:wrk)
exec "$here/../apt-need.sh" "${need[@]}"
