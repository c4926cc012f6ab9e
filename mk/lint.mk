# make lint: style and hygiene checks, each of which must pass before a commit.
#   lint-format    clang-format --dry-run -Werror against .clang-format over every
#                  C file and header in kernel/ include/ shared/ user/ tests/ (lists
#                  the offenders; `clang-format -i FILE` fixes one)
#   lint-cppcheck  cppcheck (warning, portability) over kernel/ + tests/vm/ +
#                  shared/ (the kernel build; shared/ has no #if, so once is
#                  enough) and user/; silence a false positive in place with a
#                  `// cppcheck-suppress <id>` comment and say why
#   lint-headers   tools/check-headers.sh: every header compiles on its own, and
#                  shared/ sees nothing of the kernel's or user space's
# `make lint` runs all three (make -k) and fails if any failed.

LINT_C_FILES := $(shell find kernel include shared user tests -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)

# constStatement: cppcheck 2.10 reads `register T x __asm__("reg") = v;` (how the
# syscall stubs pin arguments to registers) as an unused expression.
CPPCHECK_FLAGS := --error-exitcode=1 --enable=warning,portability --inline-suppr -q \
	--std=c11 --platform=unix64 --suppress=missingIncludeSystem --suppress=constStatement \
	-D__x86_64__ \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]'
CPPCHECK_KERNEL := -Ikernel -Ikernel/arch/x86_64/include -Iinclude -Ishared/include -Itests/vm \
	kernel tests/vm shared
CPPCHECK_USER := -Iuser/lib/libc/include -Iuser/lib -Iinclude -Ishared/include user

.PHONY: lint lint-format lint-cppcheck lint-headers
lint:
	$(Q)tools/deps.sh lint
	$(Q)$(MAKE) --no-print-directory -k lint-format lint-cppcheck lint-headers

lint-format:
	$(Q)bad=0; for f in $(LINT_C_FILES); do \
		clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || \
			{ echo "lint-format: $$f is not clang-format clean"; bad=$$((bad + 1)); }; \
	done; \
	echo "lint-format: $$bad of $(words $(LINT_C_FILES)) files need clang-format"; \
	[ $$bad = 0 ]

lint-cppcheck:
	$(Q)st=0; cppcheck $(CPPCHECK_FLAGS) $(CPPCHECK_KERNEL) || st=1; \
	cppcheck $(CPPCHECK_FLAGS) $(CPPCHECK_USER) || st=1; \
	if [ $$st = 0 ]; then echo "lint-cppcheck: clean"; else echo "lint-cppcheck: findings above"; fi; \
	exit $$st

# KCFLAGS (mk/kernel.mk) and USER_CFLAGS (mk/user.mk) when defined; otherwise
# check-headers.sh uses its own equivalent defaults.
lint-headers:
	$(Q)KERNEL_CFLAGS="$(KCFLAGS)" USER_CFLAGS="$(USER_CFLAGS)" tools/check-headers.sh
