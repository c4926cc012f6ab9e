/*
 * getopt.c - POSIX getopt: short options, "o:" for an argument (attached, "-ofile", or
 * the next word), options stop at the first operand or "--". A ':' first in optstring
 * makes a missing argument ':' and silences the messages on stderr.
 */
#include <unistd.h>

#include <stdio.h>
#include <string.h>

char *optarg;
int optind = 1, opterr = 1, optopt;

static int optpos = 1; /* the next option character's index in argv[optind] */

int getopt(int argc, char *const argv[], const char *optstring)
{
	int quiet = optstring[0] == ':';
	if (optind <= 0) { /* a reset, as glibc allows with 0 */
		optind = 1;
		optpos = 1;
	}
	if (optind >= argc || !argv[optind] || argv[optind][0] != '-' || !argv[optind][1])
		return -1;
	if (optpos == 1 && strcmp(argv[optind], "--") == 0) {
		optind++;
		return -1;
	}
	const char *word = argv[optind];
	int c = (unsigned char)word[optpos++];
	const char *spec = c == ':' ? NULL : strchr(optstring + quiet, c);
	int last = word[optpos] == '\0';
	optarg = NULL;
	if (!spec) {
		optopt = c;
		if (opterr && !quiet)
			fprintf(stderr, "%s: unknown option -%c\n", argv[0], c);
		c = '?';
	} else if (spec[1] == ':') {
		if (!last) {
			optarg = (char *)word + optpos;
		} else if (optind + 1 < argc) {
			optarg = argv[++optind];
		} else {
			optopt = c;
			if (opterr && !quiet)
				fprintf(stderr, "%s: option -%c needs an argument\n", argv[0], c);
			c = quiet ? ':' : '?';
		}
		last = 1;
	}
	if (last) {
		optind++;
		optpos = 1;
	}
	return c;
}
