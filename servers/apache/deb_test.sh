#!/usr/bin/env bash
# Installs the module's Debian package (servers/apache/deb.sh) with apt-get as an administrator
# would, and checks what Debian's libapache2-mod-* packages promise: the files where Debian puts
# them, the module enabled on installation, Debian's own configuration loading it, a2dismod and
# a2enmod switching it, an Apache that serves content tags with it, and after `apt-get remove`
# and `purge` nothing of it enabled or left, the system's Apache configuration as it was.
#
# Usage: servers/apache/deb_test.sh   (as root, on Debian with apache2 installed; re-runnable)
# Needs target/apache/mod_content_etag.so (servers/apache/build.sh; ETAGCORE_APACHE_MODULE
# names another) and target/ffi's libetagcore.so (`make ffi`) for the expected tag. No system
# Apache is started, restarted or reloaded (policy-rc.d), and the one Apache run here has its
# own config, ServerRoot and PidFile under a temporary directory, listens on 127.0.0.1 only and
# is stopped by its PID. The package is purged again at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../deb-lib.sh"
pkg=libapache2-mod-content-etag
so=/usr/lib/apache2/modules/mod_content_etag.so
load=/etc/apache2/mods-available/content_etag.load
conf=/etc/apache2/mods-available/content_etag.conf
enabled=/etc/apache2/mods-enabled/content_etag
apache2="$(command -v apache2 || echo /usr/sbin/apache2)"
# a2enmod's state: a marker per module in <state>_by_<who>/ (the package's scripts act as
# "maint", a2enmod/a2dismod typed by hand as "admin"); purge deletes the markers, not the folders.
state=/var/lib/apache2/module

tmp="$(mktemp -d)"
apache_pid=
made_dirs=()
result=1
cleanup() {
  [ -z "$apache_pid" ] || kill -KILL "$apache_pid" 2>/dev/null || true
  # On failure, leave the system as the test found it: no package, no enabled module.
  if [ "$result" != 0 ] && dpkg-query -W "$pkg" >/dev/null 2>&1; then
    deb_apt_get purge "$pkg" >/dev/null 2>&1 || true
  fi
  forget_state_dirs
  deb_test_services_back
  rm -rf "$tmp"
  if [ "$result" = 0 ]; then echo "PASS: deb_test: $pkg installs, loads and removes cleanly"
  else echo "FAIL: deb_test: $pkg (see above)"; fi
}
trap cleanup EXIT
fail() { echo "not ok - $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
# The a2enmod state folders this test made (a2enmod makes them, purge leaves them), removed
# when empty.
forget_state_dirs() {
  local d
  for d in "${made_dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done
}
# What this test must leave as it found it: every path in Debian's Apache configuration and
# a2enmod's state, with its type, mode, owner, link target and content.
snapshot() {
  find /etc/apache2 /var/lib/apache2 -printf '%p %y %m %u:%g %l\n' | sort
  find /etc/apache2 /var/lib/apache2 -type f -print0 | sort -z | xargs -0 -r md5sum
}

[ "$(id -u)" = 0 ] || fail "run as root: apt-get installs the package"
[ -x "$apache2" ] && [ -x /usr/sbin/a2enmod ] \
  || fail "apache2 not installed: run servers/apache/install-deps.sh"

# Debian's maintainer scripts restart Apache through invoke-rc.d (apache2_invoke enmod and
# dismod); policy-rc.d answering 101 forbids it, so the machine's own Apache (if any) is neither
# started nor restarted, from the first dpkg run on.
deb_test_no_services

# A package left from an earlier, interrupted run would make the fresh-install checks lie.
if dpkg-query -W "$pkg" >/dev/null 2>&1; then
  echo "# purging the $pkg already on this system first"
  deb_apt_get purge "$pkg" >/dev/null
fi
snapshot > "$tmp/before"
for d in "$state"/{enabled,disabled}_by_{admin,maint}; do
  [ -d "$d" ] || made_dirs+=("$d")
done

built="$("$here/deb.sh")"
echo "# $built"
deb="$(sed -n 's/^built \([^ ]*\.deb\) .*/\1/p' <<<"$built")"
[ -f "$deb" ] || fail "deb.sh built no package"
ok "built ${deb#"$root"/}"

# apt-get, not dpkg -i: apt resolves the Depends (apache2-api-*, apache2-bin, libc6, libgcc-s1)
# and would refuse the package on a machine whose Apache has another module ABI.
deb_apt_get install "$deb" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "install"; }
deb_installed "$pkg" || fail "$pkg is not installed after apt-get install"
ok "apt-get install $(dpkg-query -W -f='${Package} ${Version}' "$pkg")"

[ -f "$so" ] || fail "$so missing"
[ "$(cat "$load")" = "LoadModule content_etag_module $so" ] \
  || fail "$load does not hold the LoadModule line"
[ -f "$conf" ] || fail "$conf missing"
[ -f "/usr/share/doc/$pkg/copyright" ] && [ -f "/usr/share/doc/$pkg/changelog.Debian.gz" ] \
  || fail "copyright or changelog.Debian.gz missing in /usr/share/doc/$pkg"
out="$(dpkg --verify "$pkg")" && [ -z "$out" ] || fail "dpkg --verify: $out"
ok "files in place: $so, $load, $conf"

# Enabled on installation as Debian's modules are (apache2_invoke enmod, as the maintainer), so
# Debian's apache2.conf (IncludeOptional mods-enabled/*.load) loads it: apache2ctl -t and -M on
# the system's own configuration, which this reads and does not change.
[ "$(readlink "$enabled.load")" = ../mods-available/content_etag.load ] \
  && [ "$(readlink "$enabled.conf")" = ../mods-available/content_etag.conf ] \
  || fail "$enabled.load and .conf are no links to mods-available"
a2query -m content_etag > "$tmp/a2query.log" || { cat "$tmp/a2query.log"; fail "a2query -m"; }
grep -q 'enabled by maintainer script' "$tmp/a2query.log" \
  || { cat "$tmp/a2query.log"; fail "a2query -m: not enabled by the package"; }
grep -q 'invoke-rc.d: policy-rc.d denied execution of restart' "$tmp/install.log" \
  || { cat "$tmp/install.log"; fail "postinst did not ask for a restart (apache2_invoke)"; }
apache2ctl -t > "$tmp/t.log" 2>&1 || { cat "$tmp/t.log"; fail "apache2ctl -t on /etc/apache2"; }
apache2ctl -M > "$tmp/M.log" 2>&1 && grep -qx ' content_etag_module (shared)' "$tmp/M.log" \
  || fail "apache2ctl -M on /etc/apache2 does not list content_etag_module"
ok "enabled on install ($(cat "$tmp/a2query.log")); apache2ctl -t and -M load it"

# A config of its own under $tmp (ServerRoot, PidFile, runtime files and logs there), which
# takes the module from mods-enabled as Debian's apache2.conf does, so a2enmod and a2dismod
# switch it, and uses ContentETag. Not /etc/apache2/apache2.conf: that one needs envvars and
# would bind the system's ports.
mkdir -p "$tmp/html" "$tmp/run"
printf 'hello, farm\n' > "$tmp/html/hello.txt"
chmod -R a+rX "$tmp" # the children run as www-data
port="$(deb_test_port)"
modules=/usr/lib/apache2/modules
cat > "$tmp/apache.conf" <<EOF
ServerRoot $tmp
ServerName localhost
Listen 127.0.0.1:$port
PidFile $tmp/run/apache.pid
DefaultRuntimeDir $tmp/run
ErrorLog $tmp/error.log
User www-data
Group www-data
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule mime_module $modules/mod_mime.so
TypesConfig /etc/mime.types
IncludeOptional /etc/apache2/mods-enabled/content_etag.load
IncludeOptional /etc/apache2/mods-enabled/content_etag.conf
DocumentRoot $tmp/html
<Directory $tmp/html>
    Require all granted
    ContentETag On
</Directory>
EOF
apache_t() { apache2ctl -f "$tmp/apache.conf" -d "$tmp" -t > "$tmp/t.log" 2>&1; }
unknown_directive() { # the failure apache_t must show when the module is not loaded
  grep -q "Invalid command 'ContentETag'" "$tmp/t.log" \
    || { cat "$tmp/t.log"; fail "apache2ctl -t failed for another reason than ContentETag"; }
}

apache_t || { cat "$tmp/t.log"; fail "apache2ctl -t with the enabled module"; }
ok "apache2ctl -t: the enabled module knows ContentETag On"

# The negative check, and a2dismod / a2enmod as an administrator types them: disabled, the
# same config must fail on the directive, or the check above would prove nothing.
a2dismod content_etag > "$tmp/a2.log" 2>&1 || { cat "$tmp/a2.log"; fail "a2dismod"; }
[ ! -e "$enabled.load" ] && [ ! -e "$enabled.conf" ] || fail "a2dismod left $enabled.*"
if apache_t; then fail "apache2ctl -t passed with the module disabled"; fi
unknown_directive
ok "a2dismod content_etag, apache2ctl -t: Invalid command 'ContentETag'"
a2enmod content_etag > "$tmp/a2.log" 2>&1 || { cat "$tmp/a2.log"; fail "a2enmod"; }
apache_t || { cat "$tmp/t.log"; fail "apache2ctl -t after a2enmod"; }
ok "a2enmod content_etag, apache2ctl -t: Syntax OK again"

# The packaged (stripped) .so serves: a GET gets the content tag of the file's bytes, and a
# revalidation with it a 304. The expected tag is the farm harness's content_tag() (libetagcore
# through its C ABI; the digits are xxh128sum's), not a copy of the module's answer.
expected="$(cd "$root/servers/farm" && python3 -c 'import sys, harness
print(harness.content_tag(open(sys.argv[1], "rb").read()))' "$tmp/html/hello.txt")"
"$apache2" -f "$tmp/apache.conf" -d "$tmp" -k start > "$tmp/start.log" 2>&1 \
  || { cat "$tmp/start.log" "$tmp/error.log"; fail "apache2 -k start"; }
for _ in $(seq 50); do [ -s "$tmp/run/apache.pid" ] && break; sleep 0.1; done
apache_pid="$(cat "$tmp/run/apache.pid")"
request() { # request [HEADER]: the response to GET /hello.txt (with HEADER)
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /hello.txt HTTP/1.0\r\nHost: localhost\r\n%s\r\n' "${1:+$1$'\r\n'}" >&3
  tr -d '\r' <&3
  exec 3<&-
}
for _ in $(seq 50); do response="$(request 2>/dev/null)" && break; sleep 0.1; done
revalidation="$(request "If-None-Match: $expected")"
kill -TERM "$apache_pid"
for _ in $(seq 50); do kill -0 "$apache_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$apache_pid" 2>/dev/null || true
apache_pid=
grep -qx "ETag: $expected" <<<"$response" || { echo "$response"; fail "no content ETag"; }
[[ "$revalidation" =~ ^HTTP/1\.[01]\ 304\  ]] \
  || { echo "$revalidation"; fail "If-None-Match with the content tag: no 304"; }
ok "GET /hello.txt: ETag: $expected; with If-None-Match: 304"

# Removal as Debian's modules do it: prerm disables the module (a2dismod as the maintainer, so
# that a reinstall enables it again), the .so goes, the conffiles stay until purge.
deb_apt_get remove "$pkg" > "$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log"; fail "remove"; }
! deb_installed "$pkg" || fail "$pkg still installed after apt-get remove"
[ ! -e "$so" ] || fail "$so left after remove"
[ ! -e "$enabled.load" ] && [ ! -L "$enabled.load" ] && [ ! -L "$enabled.conf" ] \
  || fail "$enabled.* left after remove"
[ -f "$load" ] && [ -f "$conf" ] || fail "remove deleted the conffiles"
[ -e "$state/disabled_by_maint/content_etag" ] || fail "remove left no disabled_by_maint marker"
if apache_t; then fail "apache2ctl -t still loads the module after remove"; fi
unknown_directive
apache2ctl -t > "$tmp/t.log" 2>&1 || { cat "$tmp/t.log"; fail "apache2ctl -t on /etc/apache2"; }
ok "apt-get remove: .so and links gone, conffiles kept, apache2ctl -t: Invalid command again"

# A re-install after a remove enables the module again (the maintainer disabled it, not the
# administrator).
deb_apt_get install "$deb" > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; fail "reinstall"; }
[ -L "$enabled.load" ] && [ -L "$enabled.conf" ] || fail "reinstall did not enable the module"
apache_t || { cat "$tmp/t.log"; fail "apache2ctl -t after the reinstall"; }
ok "apt-get install after remove: enabled again"

deb_apt_get purge "$pkg" > "$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "purge"; }
[ -z "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -v not-installed)" ] \
  || fail "$pkg still known to dpkg after purge"
for f in "$so" "$load" "$conf" "$enabled.load" "$enabled.conf" "/usr/share/doc/$pkg" \
  "$state"/*/content_etag; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f left after purge"
done
forget_state_dirs
snapshot > "$tmp/after"
diff "$tmp/before" "$tmp/after" || fail "/etc/apache2 or /var/lib/apache2 differs from before"
ok "apt-get purge: nothing of $pkg left, /etc/apache2 and /var/lib/apache2 as before"
result=0
