/*
 * hwtest.h - bin/hwtest's suites besides its own (hwtest.c dispatches on argv[1]).
 */
#pragma once

/* `bin/hwtest proc [child <role>]`: suspension and accounting (proc.c). */
int proc_main(int argc, char **argv);
