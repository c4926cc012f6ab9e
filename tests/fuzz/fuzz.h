/*
 * fuzz.h - what every libFuzzer target in tests/fuzz/ shares.
 *
 * A target is one file, fuzz_<name>.c, defining LLVMFuzzerTestOneInput() over
 * the real sources it names in fuzz_<name>.mk (mk/fuzz.mk builds it with
 * clang -fsanitize=fuzzer,address,undefined). Memory errors and undefined
 * behaviour are the sanitizers' to catch; FUZZ_CHECK() is for the rest, the
 * promises a parser's header makes about its output: a broken one aborts, so
 * libFuzzer saves the input as a crash like any other (docs/testing.md).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Abort with the condition and where it is, when cond does not hold. */
#define FUZZ_CHECK(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
			        #cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* libFuzzer's entry point, called once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: called once before the first input (fuzz_nsprov writes its seeds there). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
