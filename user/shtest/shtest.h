/*
 * shtest.h - what bin/shtest's files share (shtest.c: the scripted tests and the
 * helper roles; term.c: the shell on a terminal shtest plays the console of).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <charlotte/spawn.h>

#define SHDIR "fs:///tmp/shtest"
#define SHTEST_SH_POOL (8u << 20) /* each bin/sh's pool */

struct shtest_result {
	int code; /* exit code, or -1 when it did not exit */
	char how[96];
	char out[4096], err[2048];
};
extern struct shtest_result res; /* SCRIPT's */

/* Run bin/sh with argv (NULL: just "sh") and script on its stdin; 0 or an error. */
int shtest_run_sh(const char *const *argv, const char *script, struct shtest_result *r);

/* Run script; its stdout must be want and its exit status code. */
#define SCRIPT(script, want, want_code)                                                           \
	do {                                                                                      \
		struct shtest_result *r_ = &res;                                                  \
		CHECK(shtest_run_sh(NULL, script, r_) == 0, "could not start bin/sh");            \
		CHECK(strcmp(r_->out, want) == 0, "stdout [%s], want [%s]; stderr [%s]", r_->out, \
		      want, r_->err);                                                             \
		CHECK(r_->code == (want_code), "sh %s, want exit code %d; stderr [%s]", r_->how,  \
		      want_code, r_->err);                                                        \
	} while (0)

/* A grant of the capability we hold as name, with our rights. */
bool shtest_grant_named(struct ch_grant *g, const char *name);
/* Write a whole file; 0 or -1. */
int shtest_put_file(const char *path, const void *data, size_t len);

/* How many processes named name are running (proc://). */
unsigned shtest_running(const char *name);

void shtest_interactive(void);
void shtest_complete(void);
void shtest_jobctl(void);
void shtest_loop_intr(void);
/* flow.c */
void shtest_if(void);
void shtest_loops(void);
void shtest_case(void);
void shtest_functions(void);
void shtest_subst(void);
void shtest_arith(void);
void shtest_flow_script(void);
void shtest_flow_errors(void);
/* lang.c */
void shtest_subshell(void);
void shtest_heredoc(void);
void shtest_printf(void);
void shtest_eval(void);
