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
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${1:-$root/target/deb}" && cd "${1:-$root/target/deb}" && pwd)"
so="$root/target/nginx/ngx_http_content_etag_module.so"
pkg=libnginx-mod-http-content-etag
# dh_nginx's names for this package: the load file is mod-<module>.conf, enabled as
# 50-mod-<module>.conf (50 for http-* modules, 70 for those that need another module first).
conf=mod-http-content-etag.conf
link=50-$conf

die() { echo "deb.sh: $*" >&2; exit 1; }
for c in dpkg-deb dpkg-shlibdeps strip "${CARGO:-cargo}" python3; do
  command -v "$c" >/dev/null || die "$c not found: apt-get install dpkg-dev binutils python3"
done
[ -f "$so" ] || die "$so not found: run 'make nginx-module' first"

# The crate version of the workspace (the first `version =` line, as the Makefile reads it) with
# a Debian revision: 0.2.0-1.
upstream="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
[ -n "$upstream" ] || die "no version line in $root/Cargo.toml"
version="$upstream-${DEB_REVISION:-1}"
arch="$(dpkg --print-architecture)"

# The nginx ABI: Debian's nginx refuses a module built for another one ("not binary
# compatible"), so the package depends on the virtual package naming it, as Debian's modules do
# (`Depends: nginx-abi-1.22.1-7`). It comes from the installed nginx's Provides (the nginx
# package in Debian 12, nginx-core/-light/-extras before), and must agree with the ABI of the
# nginx-dev tree build.sh compiled against, which is where dh_nginx itself reads it.
abi="$(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null \
  | awk '$1 == "installed"' | grep -o 'nginx-abi-[^ ,]*' | sort -u)" || true
[ -n "$abi" ] || die "no installed package provides nginx-abi-*: run servers/nginx/install-deps.sh"
[ "$(wc -l <<<"$abi")" = 1 ] || die "several nginx ABIs installed: $(tr '\n' ' ' <<<"$abi")"
subst=/usr/share/nginx/src/debian/libnginx-mod.abisubstvars
if [ -f "$subst" ]; then
  dev_abi="$(sed -n 's/^nginx:abi=//p' "$subst")"
  [ "$dev_abi" = "$abi" ] || die "nginx provides $abi but nginx-dev is $dev_abi: upgrade both" \
    "to the same version and run 'make nginx-module' again"
fi

# Stage the package the way debhelper does (debian/<package>/ beside a debian/control), so that
# dpkg-shlibdeps finds the binary where it expects it.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$pkg" "$pkg" > "$work/debian/control"
pr="$work/debian/$pkg"
install -d -m 0755 "$pr" "$pr/DEBIAN" "$pr/usr/lib/nginx/modules" \
  "$pr/usr/share/nginx/modules-available" "$pr/usr/share/doc/$pkg"

# The .so, mode 0644 and stripped as dh_fixperms and dh_strip leave shared objects: the debug
# information is most of its size, and nginx only needs the dynamic symbols strip keeps.
install -m 0644 "$so" "$pr/usr/lib/nginx/modules/"
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
  "$pr/usr/lib/nginx/modules/ngx_http_content_etag_module.so"
echo 'load_module modules/ngx_http_content_etag_module.so;' \
  > "$pr/usr/share/nginx/modules-available/$conf"
chmod 0644 "$pr/usr/share/nginx/modules-available/$conf"

# The runtime libraries: libetagcore is linked statically, but the Rust code it contains still
# needs libc and libgcc_s (unwinding, for the C ABI's panic guard); dpkg-shlibdeps turns the
# NEEDED entries into versioned dependencies (libc6 (>= 2.34), libgcc-s1 (>= 4.2)).
shlibs="$(cd "$work" && dpkg-shlibdeps -O "debian/$pkg/usr/lib/nginx/modules/"*.so)"
shlibs="${shlibs#shlibs:Depends=}"
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies"

# The copyright file (machine-readable, as Debian's): etagcore, and each crate and the Rust
# standard library that the module contains. The crates are the normal dependencies of the C ABI
# crate in Cargo.lock (cargo tree, which needs only what the build fetched, unlike cargo
# metadata); their authors come from the .crate files in cargo's cache. A license without its
# text below stops the build rather than shipping a file that names it without it.
cache="${CARGO_HOME:-$HOME/.cargo}/registry/cache"
crates="$(cd "$root" && "${CARGO:-cargo}" tree --locked --offline -q -p etagcore-ffi -e normal \
  --prefix none --format '{p}|{l}' | sort -u)"
third_party=
while IFS='|' read -r crate lic; do
  case "$crate" in *" ($root"*) continue ;; *" ("*) die "$crate: not from crates.io" ;; esac
  name="${crate% v*}" ver="${crate##* v}"
  file="$(find "$cache" -name "$name-$ver.crate" -print -quit 2>/dev/null)"
  [ -n "$file" ] || die "$name-$ver.crate not in $cache: run 'make nginx-module' first"
  authors="$(tar -xzOf "$file" "$name-$ver/Cargo.toml" | python3 -c 'import sys, tomllib
print("\n ".join(tomllib.load(sys.stdin.buffer)["package"].get("authors", [])))')"
  lic="${lic//\// OR }" && lic="${lic// OR / or }" && lic="${lic// AND / and }"
  for l in ${lic//[()]/ }; do
    case "$l" in or|and|MIT|Apache-2.0|BSL-1.0) ;; *) die "$name: add the text of $l" ;; esac
  done
  third_party+="Files: $name-$ver/*
Copyright: ${authors:-the $name authors}
License: $lic
Comment: Rust crate linked statically into the module.

"
done <<<"$crates"
cat > "$pr/usr/share/doc/$pkg/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: etagcore
Upstream-Contact: etagcore developers
Comment: ngx_http_content_etag_module.so is the nginx module of etagcore with libetagcore (the
 Rust crates below and the Rust standard library) linked statically into it.

Files: *
Copyright: etagcore developers
License: MIT or Apache-2.0

${third_party}Files: rust-std/*
Copyright: The Rust Project Developers
License: MIT or Apache-2.0
Comment: The Rust standard library, linked statically into the module.

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 and associated documentation files (the "Software"), to deal in the Software without
 restriction, including without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
 DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.

License: BSL-1.0
 Permission is hereby granted, free of charge, to any person or organization obtaining a copy of
 the software and accompanying documentation covered by this license (the "Software") to use,
 reproduce, display, distribute, execute, and transmit the Software, and to prepare derivative
 works of the Software, and to permit third-parties to whom the Software is furnished to do so,
 all subject to the following:
 .
 The copyright notices in the Software and this entire statement, including the above license
 grant, this restriction and the following disclaimer, must be included in all copies of the
 Software, in whole or in part, and all derivative works of the Software, unless such copies or
 derivative works are solely in the form of machine-executable object code generated by a
 source language processor.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE, TITLE
 AND NON-INFRINGEMENT. IN NO EVENT SHALL THE COPYRIGHT HOLDERS OR ANYONE DISTRIBUTING THE
 SOFTWARE BE LIABLE FOR ANY DAMAGES OR OTHER LIABILITY, WHETHER IN CONTRACT, TORT OR OTHERWISE,
 ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF
chmod 0644 "$pr/usr/share/doc/$pkg/copyright"

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

# md5sums (dh_md5sums) lets `dpkg --verify` check the installed files.
(cd "$pr" && find usr -type f | sort | xargs md5sum) > "$pr/DEBIAN/md5sums"
chmod 0644 "$pr/DEBIAN/md5sums"

# Installed-Size in KiB, counted as dpkg-gencontrol does: each file rounded up to a KiB, one
# for each directory or link.
size="$(find "$pr" -mindepth 1 -path "$pr/DEBIAN" -prune -o -printf '%y %s\n' \
  | awk '{ n += ($1 == "f") ? int(($2 + 1023) / 1024) : 1 } END { print n }')"

cat > "$pr/DEBIAN/control" <<EOF
Package: $pkg
Source: etagcore
Version: $version
Architecture: $arch
Maintainer: etagcore developers <etagcore-developers@example.invalid>
Installed-Size: $size
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
dpkg-deb --build --root-owner-group "$pr" "$deb" >/dev/null
echo "built $deb (Depends: $abi, $shlibs)"
