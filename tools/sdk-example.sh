#!/bin/sh
# sdk-example.sh EXAMPLE_DIR OUT - the SDK's test (mk/sdk.mk, docs/drivers.md): what a
# third party does, from outside the tree.
#   1. `make install-sdk` into a scratch directory outside the tree;
#   2. every installed header compiles alone, with sdk.mk's flags and nothing else;
#   3. EXAMPLE_DIR is copied next to it and built with `make SDK=<scratch>`; the build
#      must not name the source tree anywhere (no -I into the repository);
#   4. the program goes to OUT (mk/homedisk.mk puts it on the home disk).
# Environment: B (the build directory), MAKE. Fails loudly, leaves nothing behind.
set -eu
ex=$1
out=$2
repo=$(pwd -P)
make=${MAKE:-make}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/charlotte-sdk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case "$tmp" in "$repo"/*) echo "sdk-example: $tmp is inside the tree" >&2; exit 1 ;; esac
fresh() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES "$@"; }

fresh "$make" --no-print-directory -s B="${B:-build}" install-sdk PREFIX="$tmp/sdk" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log" >&2; echo "sdk-example: make install-sdk failed" >&2; exit 1; }

printf 'include %s/sdk/share/charlotte/sdk.mk\nprint:\n\t@echo $(CHARLOTTE_CC) $(CHARLOTTE_CFLAGS) $(CHARLOTTE_WARNFLAGS)\n' "$tmp" >"$tmp/flags.mk"
cc_line=$(cd "$tmp" && fresh "$make" -s -f flags.mk print)
n=0
for h in $(cd "$tmp/sdk/include" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort); do
	# shellcheck disable=SC2086 # cc_line is a command line
	printf '#include <%s>\n' "$h" | (cd "$tmp" && $cc_line -x c -fsyntax-only -) ||
		{ echo "sdk-example: the SDK's $h does not compile alone" >&2; exit 1; }
	n=$((n + 1))
done
[ "$n" -gt 50 ] || { echo "sdk-example: only $n headers installed" >&2; exit 1; }

cp -R "$ex" "$tmp/src"
(cd "$tmp/src" && fresh "$make" SDK="$tmp/sdk") >"$tmp/build.log" 2>&1 ||
	{ cat "$tmp/build.log" >&2; echo "sdk-example: $ex does not build with the SDK alone" >&2; exit 1; }
if grep -F "$repo" "$tmp/build.log" >&2; then
	echo "sdk-example: the build of $ex reached into the source tree ($repo)" >&2
	exit 1
fi
prog=$tmp/src/$(basename "$out")
[ -f "$prog" ] && head -c 4 "$prog" | grep -q ELF ||
	{ echo "sdk-example: no program $prog" >&2; exit 1; }
cp "$prog" "$out.tmp" && mv "$out.tmp" "$out"
echo "  SDK     $ex built outside the tree ($n headers checked) -> $out"
