#!/usr/bin/env bash
# Packages the already-built module (target/apache/mod_content_etag.so, from
# servers/apache/build.sh) as a Debian package laid out like Debian's own libapache2-mod-*
# packages, so that `apt-get install ./libapache2-mod-content-etag_*.deb` loads it into Debian's
# Apache and `a2enmod content_etag` / `a2dismod content_etag` work as for any other module.
#
# Usage: servers/apache/deb.sh [OUT_DIR]   (default: target/deb of the repository)
# Environment: ETAGCORE_APACHE_MODULE (another .so, as for the farm's Apache backend),
# DEB_REVISION (default 1), CARGO (default cargo).
#
# The layout is what dh_apache2 (apache2-dev's /usr/bin/dh_apache2) generates for a module
# package, without debhelper: the .so in /usr/lib/apache2/modules/, content_etag.load (the
# LoadModule line) and content_etag.conf in /etc/apache2/mods-available/ as conffiles, and its
# autoscripts as maintainer scripts: apache2-maintscript-helper's `apache2_invoke enmod` on
# installation, `dismod` on removal and purge. What is not Apache's own (staging, stripping,
# dependencies, copyright, changelog, md5sums) is in servers/deb-lib.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../deb-lib.sh"
out="$(mkdir -p "${1:-$root/target/deb}" && cd "${1:-$root/target/deb}" && pwd)"
so="${ETAGCORE_APACHE_MODULE:-$root/target/apache/mod_content_etag.so}"
pkg=libapache2-mod-content-etag
# a2enmod's name: content_etag.load and .conf; the module structure the LoadModule line names.
name=content_etag
symbol=content_etag_module

deb_need dpkg-deb dpkg-shlibdeps strip objdump "${CARGO:-cargo}" python3
command -v apxs >/dev/null || deb_die "apxs not found: run servers/apache/install-deps.sh"
[ -f "$so" ] || deb_die "$so not found: run servers/apache/build.sh first"
version="$(deb_version "$root")"
arch="$(dpkg --print-architecture)"

# The Apache module ABI: httpd refuses a module whose magic number (MODULE_MAGIC_NUMBER_MAJOR)
# is not its own, and Debian's apache2-bin names its own in a virtual package (Provides:
# apache2-api-20120211), on which Debian's modules depend, as dh_apache2 writes it. The number
# comes from ap_mmn.h in the include directory apxs compiles against, and must be the one in the
# module's own structure (major and minor, the first two ints of `module`), else the .so is from
# other headers than these: a stale build.
inc="$(apxs -q INCLUDEDIR)"
mmn() { sed -n "s/^#define MODULE_MAGIC_NUMBER_$1 *\([0-9]*\).*/\1/p" "$inc/ap_mmn.h"; }
major="$(mmn MAJOR)" minor="$(mmn MINOR)"
[ -n "$major" ] && [ -n "$minor" ] || deb_die "no MODULE_MAGIC_NUMBER in $inc/ap_mmn.h"
read -r addr section < <(objdump -T "$so" | awk -v s="$symbol" \
  '$NF == s { for (i = 2; i < NF; i++) if ($i ~ /^\./) print $1, $i }') \
  || deb_die "$so exports no $symbol: the LoadModule line would fail"
words="$(objdump -s -j "$section" --start-address="0x$addr" --stop-address="$((0x$addr + 8))" \
  "$so" | awk '$1 ~ /^[0-9a-f]+$/ && NF >= 3 { print $2 $3; exit }')"
so_mmn="$(python3 -c 'import struct, sys
print("%d:%d" % struct.unpack("<ii", bytes.fromhex(sys.argv[1])))' "$words" 2>/dev/null)" \
  || deb_die "cannot read the module API numbers in $symbol of $so"
[ "$so_mmn" = "$major:$minor" ] || deb_die "$so was built for module API $so_mmn, the" \
  "headers in $inc are $major:$minor: run servers/apache/build.sh again"
api="apache2-api-$major"
dpkg-query -W -f='${Provides}\n' apache2-bin 2>/dev/null | grep -qw -- "$api" \
  || deb_die "the installed apache2-bin does not provide $api: upgrade apache2-bin and" \
    "apache2-dev to the same version and rebuild"
# httpd checks only the major number when it loads a module; a module that calls a function
# added in a later minor fails at dlopen with an undefined symbol. So, rather than dh_apache2's
# fixed `apache2-bin (>= 2.4.16)`, the lowest apache2-bin is the release of the headers the
# module was compiled with (ap_release.h): apt refuses an older one instead of Apache failing.
release="$(for n in MAJORVERSION MINORVERSION PATCHLEVEL; do
  sed -n "s/^#define AP_SERVER_${n}_NUMBER *\([0-9]*\).*/\1/p" "$inc/ap_release.h"; done \
  | paste -sd.)"
[[ "$release" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || deb_die "no server version in $inc/ap_release.h"

deb_stage "$pkg"
pr="$deb_root"
install -d -m 0755 "$pr/etc/apache2/mods-available"
deb_install_so "$so" usr/lib/apache2/modules
# The load file, as Debian's own: the absolute path, so that it works whatever ServerRoot is.
echo "LoadModule $symbol /usr/lib/apache2/modules/mod_content_etag.so" \
  > "$pr/etc/apache2/mods-available/$name.load"
# The .conf a2enmod links beside the .load. Installing enables the module (as every
# libapache2-mod-* does) and restarts a running Apache, so an active directive here would change
# the ETag of every static file on every site at `apt-get install`, before the operator chose
# to: like Debian's cache_disk.conf (`#CacheEnable disk /`), it holds the switch commented out.
cat > "$pr/etc/apache2/mods-available/$name.conf" <<'EOF'
<IfModule content_etag_module>
	# Static files get an ETag computed from their bytes, the same on every server
	# of a farm, and conditional requests are decided as RFC 9110 says. Off until
	# turned on: for every site here, or (usually better) in one <VirtualHost> or
	# <Directory>, or in .htaccess where AllowOverride FileInfo allows it.
	#ContentETag On
</IfModule>
EOF
chmod 0644 "$pr/etc/apache2/mods-available/$name".*
# Every file in /etc is a conffile (dh_installdeb): an upgrade keeps an operator's edits, and
# only a purge deletes them.
(cd "$pr" && find etc -type f -printf '/%p\n' | sort) > "$pr/DEBIAN/conffiles"
chmod 0644 "$pr/DEBIAN/conffiles"
# --warnings=6 leaves out "unresolvable reference to symbol": the ap_* and apr_* functions are
# the loading httpd's, in no library the module links (Debian's modules are built the same way;
# the apache2-api dependency stands for them), and a real one fails deb_test.sh's LoadModule.
shlibs="$(deb_shlibdeps --warnings=6)"
deb_copyright "$root" "mod_content_etag.so is the Apache httpd module"
deb_changelog "$version"

# Maintainer scripts: dh_apache2's autoscripts (apache2-dev's /usr/share/debhelper/autoscripts/
# *-apache2) for this one module, without its always-true conditional. apache2_invoke (from
# apache2's /usr/share/apache2/apache2-maintscript-helper) enables the module on a fresh install
# and after a removal, keeps an administrator's a2dismod across upgrades, and restarts a running
# Apache (through invoke-rc.d, so policy-rc.d can forbid it) only if `apache2ctl configtest`
# passes; prerm disables the module on removal, postrm forgets a2enmod's state on purge. Without
# the apache2 package (no helper), they do nothing.
helper=/usr/share/apache2/apache2-maintscript-helper
cat > "$pr/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ -e $helper ]; then
	. $helper
	apache2_invoke enmod $name || exit 1
fi
EOF
cat > "$pr/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = deconfigure ]; then
	if [ -e $helper ]; then
		. $helper
		apache2_invoke dismod $name || exit 1
	fi
fi
EOF
cat > "$pr/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = purge ]; then
	if [ -e $helper ]; then
		. $helper
		apache2_invoke dismod $name || exit 1
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
Depends: $api, apache2-bin (>= $release~), $shlibs
Recommends: apache2
Section: httpd
Priority: optional
Description: Content ETags and RFC 9110 conditional requests for Apache httpd
 The ContentETag directive gives Apache's static files an ETag computed from
 their bytes (XXH3-128, the digits of xxh128sum) instead of their mtime and
 size, so that every server of a farm gives a file the same ETag, and it
 evaluates If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since
 and If-Range in RFC 9110's order.
 .
 The module is enabled once installed (a2dismod content_etag disables it);
 turn it on per virtual host or directory with "ContentETag On".
EOF

deb="$out/${pkg}_${version}_$arch.deb"
deb_build "$deb"
echo "built $deb (Depends: $api, apache2-bin (>= $release~), $shlibs)"
