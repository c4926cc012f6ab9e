#!/bin/sh
# fetch-deb.sh <package> <dir> - download a Debian package's .deb into <dir> (as
# <dir>/<package>.deb) with `apt-get download`: nothing is installed and the system is
# left as it was. Build data that Debian ships (the console keymaps, mk/keymaps.mk)
# comes this way; the download is kept, so later builds work offline. When apt's lists
# do not know the package (a machine that never ran `apt-get update`), they are
# refreshed once (as root, or with sudo) and the download is tried again.
set -e
pkg=$1
dir=$2
[ -n "$pkg" ] && [ -n "$dir" ] || { echo "usage: fetch-deb.sh <package> <dir>" >&2; exit 2; }
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
get() { (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1); }
if ! get; then
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	echo "fetch-deb: apt-get download $pkg failed: refreshing apt's lists" >&2
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || true
	get || { echo "fetch-deb: cannot download $pkg (offline, or not in apt's sources?)" >&2; exit 1; }
fi
set -- "$tmp"/*.deb
[ -f "$1" ] || { echo "fetch-deb: apt-get download $pkg left no .deb" >&2; exit 1; }
dpkg-deb --info "$1" >/dev/null
mv "$1" "$dir/$pkg.deb"
