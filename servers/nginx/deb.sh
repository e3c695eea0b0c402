#!/usr/bin/env bash
# Packages the already-built module (target/nginx/ngx_http_content_etag_module.so, from
# `make nginx-module`) as a Debian package laid out like Debian's own libnginx-mod-* packages, so
# that `apt-get install ./libnginx-mod-http-content-etag_*.deb` loads it into Debian's nginx.
#
# Usage: servers/nginx/deb.sh [OUT_DIR]   (default: target/deb of the repository)
# Environment: DEB_REVISION (default 1), CARGO (default cargo).
#
# The layout is what dh_nginx (nginx-dev's /usr/bin/dh_nginx) generates for a package of this
# name, without debhelper: the .so in /usr/lib/nginx/modules/, a one-line load file in
# /usr/share/nginx/modules-available/, and maintainer scripts that enable it through a symlink
# in /etc/nginx/modules-enabled/ (which Debian's nginx.conf includes) and disable it on removal.
# What is not nginx's own (staging, stripping, dependencies, copyright, md5sums) is in
# servers/deb-lib.sh, shared with the Apache module's package.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../deb-lib.sh"
out="$(mkdir -p "${1:-$root/target/deb}" && cd "${1:-$root/target/deb}" && pwd)"
so="$root/target/nginx/ngx_http_content_etag_module.so"
pkg=libnginx-mod-http-content-etag
# dh_nginx's names for this package: the load file is mod-<module>.conf, enabled as
# 50-mod-<module>.conf (50 for http-* modules, 70 for those that need another module first).
conf=mod-http-content-etag.conf
link=50-$conf

deb_need dpkg-deb dpkg-shlibdeps strip "${CARGO:-cargo}" python3
[ -f "$so" ] || deb_die "$so not found: run 'make nginx-module' first"
version="$(deb_version "$root")"
arch="$(dpkg --print-architecture)"

# The nginx ABI: Debian's nginx refuses a module built for another one ("not binary
# compatible"), so the package depends on the virtual package naming it, as Debian's modules do
# (`Depends: nginx-abi-1.22.1-7`). It comes from the installed nginx's Provides (the nginx
# package in Debian 12, nginx-core/-light/-extras before), and must agree with the ABI of the
# nginx-dev tree build.sh compiled against, which is where dh_nginx itself reads it.
abi="$(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null \
  | awk '$1 == "installed"' | grep -o 'nginx-abi-[^ ,]*' | sort -u)" || true
[ -n "$abi" ] \
  || deb_die "no installed package provides nginx-abi-*: run servers/nginx/install-deps.sh"
[ "$(wc -l <<<"$abi")" = 1 ] || deb_die "several nginx ABIs installed: $(tr '\n' ' ' <<<"$abi")"
subst=/usr/share/nginx/src/debian/libnginx-mod.abisubstvars
if [ -f "$subst" ]; then
  dev_abi="$(sed -n 's/^nginx:abi=//p' "$subst")"
  [ "$dev_abi" = "$abi" ] || deb_die "nginx provides $abi but nginx-dev is $dev_abi: upgrade both" \
    "to the same version and run 'make nginx-module' again"
fi

deb_stage "$pkg"
pr="$deb_root"
install -d -m 0755 "$pr/usr/share/nginx/modules-available"
deb_install_so "$so" usr/lib/nginx/modules
echo 'load_module modules/ngx_http_content_etag_module.so;' \
  > "$pr/usr/share/nginx/modules-available/$conf"
chmod 0644 "$pr/usr/share/nginx/modules-available/$conf"
shlibs="$(deb_shlibdeps)"
deb_copyright "$root" "ngx_http_content_etag_module.so is the nginx module"
deb_changelog "$version"

# Maintainer scripts: dh_nginx's autoscripts (nginx-dev's /usr/share/debhelper/autoscripts/
# *-nginx) for this one module, `command -v` for `which`. postinst links the module on a fresh
# install, and again after a removal; an upgrade keeps an administrator's own unlinking. Removal
# renames the link to *.removed (nginx.conf's `include modules-enabled/*.conf` skips it), purge
# deletes it. The nginx-reload trigger lets nginx's postinst reload a running nginx.
vars="conf=/usr/share/nginx/modules-available/$conf
link=/etc/nginx/modules-enabled/$link"
cat > "$pr/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
$vars
if [ -L "\$link.removed" ]; then
	rm "\$link.removed"
	removed_link=true
else
	removed_link=false
fi
# Symlink on 1) fresh installations 2) reinstalls after removes (preserve admin actions)
if [ -z "\${2:-}" ] || [ "\$removed_link" = true ]; then
	ln -sf "\$conf" "\$link"
fi
if [ "\$1" = configure ] && command -v dpkg-trigger >/dev/null 2>&1; then
	dpkg-trigger --no-await nginx-reload
fi
EOF
cat > "$pr/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
$vars
if [ "\$1" = remove ] || [ "\$1" = deconfigure ]; then
	if [ -L "\$link" ]; then
		mv "\$link" "\$link.removed"
	fi
fi
EOF
cat > "$pr/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
$vars
if [ "\$1" = purge ]; then
	rm -f "\$link" "\$link.removed"
fi
if [ "\$1" = remove ]; then
	if [ -L "\$link" ]; then
		mv "\$link" "\$link.removed"
	fi
	if command -v dpkg-trigger >/dev/null 2>&1; then
		dpkg-trigger --no-await nginx-reload
	fi
fi
EOF
chmod 0755 "$pr/DEBIAN/postinst" "$pr/DEBIAN/prerm" "$pr/DEBIAN/postrm"

cat > "$pr/DEBIAN/control" <<EOF
Package: $pkg
Source: etagcore
Version: $version
Architecture: $arch
Maintainer: $deb_maintainer
Depends: $abi, $shlibs
Recommends: nginx
Section: httpd
Priority: optional
Description: Content ETags and RFC 9110 conditional requests for nginx
 The content_etag directive gives nginx's static files an ETag computed from
 their bytes (XXH3-128, the digits of xxh128sum) instead of their mtime and
 size, so that every server of a farm gives a file the same ETag, and it
 evaluates If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since
 and If-Range in RFC 9110's order.
 .
 The module is loaded from /etc/nginx/modules-enabled/ once installed; enable
 it per location with "content_etag on;".
EOF

deb="$out/${pkg}_${version}_$arch.deb"
deb_build "$deb"
echo "built $deb (Depends: $abi, $shlibs)"
