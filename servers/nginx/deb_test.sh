#!/usr/bin/env bash
# Installs the module's Debian package (servers/nginx/deb.sh) with apt-get as an administrator
# would, and checks what Debian's libnginx-mod-* packages promise: the files where Debian puts
# them, the module enabled in /etc/nginx/modules-enabled/, an nginx that loads it from there and
# knows `content_etag`, and nothing of it left enabled after `apt-get remove` or `purge`.
#
# Usage: servers/nginx/deb_test.sh   (as root, on Debian with nginx installed; re-runnable)
# Needs target/nginx/ngx_http_content_etag_module.so (`make nginx-module`). No system nginx is
# started or reloaded (policy-rc.d), and every nginx run here uses its own prefix under a
# temporary directory and listens on 127.0.0.1 only. The package is purged again at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../deb-lib.sh"
pkg=libnginx-mod-http-content-etag
so=/usr/lib/nginx/modules/ngx_http_content_etag_module.so
avail=/usr/share/nginx/modules-available/mod-http-content-etag.conf
link=/etc/nginx/modules-enabled/50-mod-http-content-etag.conf
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
# The etagcore content tag of "hello, farm\n" (README's example, the same as xxh128sum's).
hello_tag='"b0a4e85888f5f2c6ea06e83a1d713ee8"'

tmp="$(mktemp -d)"
nginx_pid=
result=1
cleanup() {
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
  # On failure, leave the system as the test found it: no package, no enabled link.
  if [ "$result" != 0 ] && dpkg-query -W "$pkg" >/dev/null 2>&1; then
    deb_apt_get purge "$pkg" >/dev/null 2>&1 || true
  fi
  deb_test_services_back
  rm -rf "$tmp"
  if [ "$result" = 0 ]; then echo "PASS: deb_test: $pkg installs, loads and removes cleanly"
  else echo "FAIL: deb_test: $pkg (see above)"; fi
}
trap cleanup EXIT
fail() { echo "not ok - $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

[ "$(id -u)" = 0 ] || fail "run as root: apt-get installs the package"
[ -x "$nginx" ] || fail "nginx not installed: run servers/nginx/install-deps.sh"

# Debian's postinst scripts start or reload nginx through invoke-rc.d; policy-rc.d answering
# 101 forbids it, so the machine's own nginx (if any) is neither started nor reloaded.
deb_test_no_services # before any dpkg run: the purge below triggers a reload

# A package left from an earlier, interrupted run would make the fresh-install checks lie.
if dpkg-query -W "$pkg" >/dev/null 2>&1; then
  echo "# purging the $pkg already on this system first"
  deb_apt_get purge "$pkg" >/dev/null
fi

built="$("$here/deb.sh")"
echo "# $built"
deb="$(sed -n 's/^built \([^ ]*\.deb\) .*/\1/p' <<<"$built")"
[ -f "$deb" ] || fail "deb.sh built no package"
ok "built ${deb#"$root"/}"

# apt-get, not dpkg -i: apt resolves the Depends (the nginx ABI, libc6, libgcc-s1) and would
# refuse the package on a machine whose nginx has another ABI.
deb_apt_get install "$deb" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "install"; }
deb_installed "$pkg" || fail "$pkg is not installed after apt-get install"
ok "apt-get install $(dpkg-query -W -f='${Package} ${Version}' "$pkg")"

[ -f "$so" ] || fail "$so missing"
[ "$(cat "$avail")" = "load_module modules/ngx_http_content_etag_module.so;" ] \
  || fail "$avail does not hold the load_module line"
[ -f "/usr/share/doc/$pkg/copyright" ] || fail "/usr/share/doc/$pkg/copyright missing"
[ -L "$link" ] && [ "$(readlink "$link")" = "$avail" ] || fail "$link is no link to $avail"
out="$(dpkg --verify "$pkg")" && [ -z "$out" ] || fail "dpkg --verify: $out"
ok "files in place, enabled through $link"

# A config of its own under $tmp: pid, logs and temp paths there, so nginx -t and the server
# below write nothing of the system's nginx. The prefix stays Debian's (/usr/share/nginx, whose
# modules/ links to /usr/lib/nginx/modules), so `load_module modules/...` resolves as it does
# for the system's nginx. The second argument is Debian's nginx.conf's include, or nothing.
mkdir -p "$tmp/html"
printf 'hello, farm\n' > "$tmp/html/hello.txt"
chmod -R a+rX "$tmp" # the workers run as nobody
port="$(deb_test_port)"
write_conf() { # write_conf FILE ENABLE
  cat > "$1" <<EOF
$2
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    types { text/plain txt; }
    server {
        listen 127.0.0.1:$port;
        root $tmp/html;
        location / { content_etag on; }
    }
}
EOF
}
write_conf "$tmp/with.conf" "include /etc/nginx/modules-enabled/*.conf;"
write_conf "$tmp/without.conf" ""
nginx_t() { "$nginx" -t -e "$tmp/error.log" -c "$1" > "$tmp/t.log" 2>&1; }

nginx_t "$tmp/with.conf" || { cat "$tmp/t.log"; fail "nginx -t with modules-enabled"; }
ok "nginx -t: the enabled module loads and knows content_etag"

# The negative check: without the include nginx must not know the directive, or the check
# above would prove nothing.
if nginx_t "$tmp/without.conf"; then fail "nginx -t passed without loading the module"; fi
grep -q 'unknown directive "content_etag"' "$tmp/t.log" \
  || { cat "$tmp/t.log"; fail "nginx -t without the module failed for another reason"; }
ok "nginx -t without the include: unknown directive \"content_etag\""

# The packaged (stripped) .so serves: one request, the content tag of the file's bytes.
"$nginx" -e "$tmp/error.log" -c "$tmp/with.conf" \
  || { cat "$tmp/error.log"; fail "nginx did not start"; }
for _ in $(seq 50); do [ -s "$tmp/nginx.pid" ] && break; sleep 0.1; done
nginx_pid="$(cat "$tmp/nginx.pid")"
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /hello.txt HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
response="$(tr -d '\r' <&3)"
exec 3<&-
kill -QUIT "$nginx_pid"
for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$nginx_pid" 2>/dev/null || true
nginx_pid=
grep -qx "ETag: $hello_tag" <<<"$response" || { echo "$response"; fail "no content ETag"; }
ok "GET /hello.txt: ETag: $hello_tag"

# Removal as Debian's modules do it: the link is renamed *.removed (which the include's *.conf
# does not match), the .so goes; nginx no longer knows the directive.
deb_apt_get remove "$pkg" > "$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log"; fail "remove"; }
! deb_installed "$pkg" || fail "$pkg still installed after apt-get remove"
[ ! -e "$so" ] || fail "$so left after remove"
[ ! -e "$avail" ] || fail "$avail left after remove"
[ ! -e "$link" ] && [ ! -L "$link" ] || fail "$link left after remove"
[ -L "$link.removed" ] || fail "remove did not keep $link.removed"
if nginx_t "$tmp/with.conf"; then fail "nginx -t still loads the module after remove"; fi
grep -q 'unknown directive "content_etag"' "$tmp/t.log" \
  || { cat "$tmp/t.log"; fail "nginx -t after remove failed for another reason"; }
ok "apt-get remove: .so and link gone, nginx -t: unknown directive again"

# A re-install after a remove enables the module again (the .removed link says it was on).
deb_apt_get install "$deb" > "$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; fail "reinstall"; }
[ -L "$link" ] && [ ! -e "$link.removed" ] || fail "reinstall did not enable the module again"
ok "apt-get install after remove: enabled again"

deb_apt_get purge "$pkg" > "$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; fail "purge"; }
[ -z "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -v not-installed)" ] \
  || fail "$pkg still known to dpkg after purge"
for f in "$so" "$avail" "$link" "$link.removed" "/usr/share/doc/$pkg"; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f left after purge"
done
ok "apt-get purge: nothing of $pkg left"
result=0
