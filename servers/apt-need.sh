#!/usr/bin/env bash
# Installs Debian packages where what they provide is missing, for the servers' scripts.
#
# Usage: servers/apt-need.sh TEST:PACKAGE ...
#   TEST is a command name (found on PATH or in /usr/sbin) or an absolute path that must exist;
#   PACKAGE is installed when TEST fails. policy-rc.d stops a server package from starting its
#   system service: the tests start and stop every server they use, on 127.0.0.1 only.
set -euo pipefail
need=()
for pair in "$@"; do
  test="${pair%%:*}" package="${pair#*:}"
  case "$test" in
    /*) [ -e "$test" ] && continue ;;
    *) { command -v "$test" || [ -x "/usr/sbin/$test" ]; } >/dev/null && continue ;;
  esac
  need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0
made_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
[ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
