#!/bin/sh
# check-headers.sh - every header compiles on its own (STYLE.md: "each header
# compiles alone"), so no header leans on what its includer happened to include.
#
# Each header is compiled as a translation unit of one line, #include "<hdr>",
# with gcc -fsyntax-only:
#   kernel/**/*.h, tests/vm/*.h  with the kernel's flags ($KERNEL_CFLAGS, from
#                                mk/kernel.mk's KCFLAGS when run by `make lint`)
#   include/abi/*.h              freestanding C17, nothing but -Iinclude and the
#                                compiler's own headers: the ABI shared with user
#                                space may not reach into the kernel or a libc
#   user/lib/**/*.h              with the user-space flags ($USER_CFLAGS)
#   shared/include/**/*.h and    freestanding C17 with nothing but the compiler's
#   shared/*.c                   headers, -Iinclude and -Ishared/include: code
#                                shared by kernel and user space may not reach
#                                into either tree (its sources are checked too)
# Prints each failing header with gcc's messages; exits 1 if any failed.
set -u

cd "$(dirname "$0")/.." || exit 2
CC=${CC:-gcc}
GCC_INC=$($CC -print-file-name=include)
KERNEL_INC="-Ikernel -Ikernel/arch/x86_64/include -Iinclude -Itests/vm"
: "${KERNEL_CFLAGS:=-std=gnu17 -ffreestanding -fno-pic -mno-red-zone -mcmodel=kernel \
-mgeneral-regs-only \
-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla $KERNEL_INC}"
ABI_CFLAGS="-std=c17 -ffreestanding -nostdinc -isystem $GCC_INC -Wall -Wextra -Wpedantic -Werror \
-Wstrict-prototypes -Wmissing-prototypes -Wundef -Iinclude"
SHARED_CFLAGS="-std=gnu17 -ffreestanding -nostdinc -isystem $GCC_INC -mgeneral-regs-only -Wall \
-Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla -Iinclude -Ishared/include"
: "${USER_CFLAGS:=-std=gnu17 -ffreestanding -nostdinc -isystem $GCC_INC -Wall -Wextra -Werror \
-Wstrict-prototypes -Wmissing-prototypes -Wundef -Iuser/lib/libc/include -Iuser/lib -Iinclude}"

# Dependency-file and output options make no sense for a one-line stdin unit.
strip_flags() {
	out='' skip=0
	for f in $1; do
		if [ "$skip" = 1 ]; then skip=0; continue; fi
		case "$f" in
		-MF | -MT | -MQ | -o) skip=1 ;;
		-M*) ;;
		*) out="$out $f" ;;
		esac
	done
	echo "$out"
}
KERNEL_CFLAGS=$(strip_flags "$KERNEL_CFLAGS")
USER_CFLAGS=$(strip_flags "$USER_CFLAGS")

total=0 bad=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

check() { # check FLAGS HEADER
	total=$((total + 1))
	# shellcheck disable=SC2086 # flags are word-split on purpose
	# The typedef keeps -Wpedantic quiet about a header of nothing but macros.
	if ! printf '#include "%s"\ntypedef int check_headers_nonempty;\n' "$2" |
		$CC $1 -fsyntax-only -x c - >"$err" 2>&1; then
		bad=$((bad + 1))
		echo "check-headers: $2 does not compile on its own:"
		sed 's/^/    /' "$err"
	fi
}

for h in $(find kernel tests/vm -name '*.h' 2>/dev/null | sort); do
	check "$KERNEL_CFLAGS" "$h"
done
for h in $(find include -name '*.h' 2>/dev/null | sort); do
	check "$ABI_CFLAGS" "$h"
done
for h in $(find user -name '*.h' 2>/dev/null | sort); do
	check "$USER_CFLAGS" "$h"
done
for f in $(find shared -name '*.[ch]' 2>/dev/null | sort); do
	check "$SHARED_CFLAGS" "$f"
done

echo "check-headers: $((total - bad)) of $total headers compile on their own"
[ "$bad" = 0 ]
