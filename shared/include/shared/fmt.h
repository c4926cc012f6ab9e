/*
 * fmt.h - the printf formatting core shared by the kernel (ksnprintf, klog, panic)
 * and the user C library (printf, snprintf, fprintf ...); shared/fmt.c, built once
 * for each.
 *
 * The core walks a format once and hands the text, in pieces and in order, to the
 * caller's put() callback: a front end decides where text goes (a bounded buffer, a
 * stream) and what the call returns. It knows the C99 integer dialect both sides
 * share: flags - + space # 0, width and precision (either may be *), length
 * modifiers hh h l ll j z t, conversions d i u o x X c s p %. %s of NULL prints
 * "(null)" ("" when a precision below 6 cuts it, as glibc does), %p of NULL "(nil)".
 * A conversion it does not know goes to the front end's extend() callback if there
 * is one (the libc adds floating point, %n and the q/L length modifiers; the kernel,
 * built without SSE, has none), else it is copied through as written, as is a
 * conversion cut short by the end of the format.
 *
 * No state, no locks, no allocation; it calls nothing but the callbacks (and the
 * compiler's builtins), so it is safe in any context the callbacks are.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_J,
	FMT_LEN_Z,
	FMT_LEN_T,
};

/* One conversion as the format spelled it. */
struct fmt_spec {
	bool left, plus, space, alt, zero; /* zero is already false when left is set */
	int width;
	int prec; /* -1: none given */
	enum fmt_length len;
	char conv; /* the character after flags, width, precision and length */
};

struct fmt_out;

/*
 * A front end's extension: called at a conversion the core does not know, with sp
 * parsed and fmt at sp->conv. Formats it (through fmt_put() and the helpers below)
 * and returns how many characters of fmt it took, at least 1; or returns 0 to have
 * "%" up to sp->conv copied through as written.
 */
typedef size_t fmt_extend_fn(struct fmt_out *out, struct fmt_spec *sp, const char *fmt,
                             va_list *ap);

/* Where the text goes; a front end embeds it in its own state (container_of). */
struct fmt_out {
	/* Receives the text, n > 0 characters at a time. */
	void (*put)(struct fmt_out *out, const char *s, size_t n);
	fmt_extend_fn *extend; /* optional */
	size_t count; /* characters produced by this fmt_format() call so far */
};

/*
 * Format fmt with ap into out (out->count starts again at 0). Returns the number of
 * characters produced, which may exceed INT_MAX: the front end turns that into its
 * own return value.
 */
size_t fmt_format(struct fmt_out *out, const char *fmt, va_list ap);

/*
 * C99 vsnprintf over the core: formats into buf, storing at most size - 1 characters
 * and a terminator (nothing when size is 0; buf may then be NULL), with extend as the
 * fmt_out's (may be NULL). Returns the untruncated length, as fmt_format().
 */
size_t fmt_vsnprintf(char *buf, size_t size, fmt_extend_fn *extend, const char *fmt, va_list ap);

/*
 * Format one of the core's conversions (sp->conv in "diuoxXcsp%") with its argument
 * from *ap; returns false, producing nothing, for any other. For an extend() that
 * parsed a length modifier of its own.
 */
bool fmt_convert(struct fmt_out *out, struct fmt_spec *sp, va_list *ap);

/* For extend(): n characters of s to out->put(), counted in out->count. */
void fmt_put(struct fmt_out *out, const char *s, size_t n);

/* For extend(): n copies of c (none when n <= 0), in blocks. */
void fmt_repeat(struct fmt_out *out, char c, long n);

/* For extend(): the spaces before a field of len characters padded to sp->width,
 * unless it is left-aligned or zeros pad it instead. */
void fmt_pad_before(struct fmt_out *out, const struct fmt_spec *sp, long len);

/* For extend(): the spaces after a left-aligned field of len characters. */
void fmt_pad_after(struct fmt_out *out, const struct fmt_spec *sp, long len);
