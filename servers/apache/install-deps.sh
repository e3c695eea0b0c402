#!/usr/bin/env bash
# Installs what the Apache module's build, tests and demos need, where missing: Debian's apache2
# and apache2-dev (apxs), and wrk with the argument `wrk`, with no system apache2 started
# (servers/apt-need.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=(apache2:apache2 apxs:apache2-dev)
[ "${1:-}" != wrk ] || need+=(wrk:wrk)
exec "$here/../apt-need.sh" "${need[@]}"
