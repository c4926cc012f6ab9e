/*
 * term.h - the terminal as top and edit use it (term.c, target only): raw mode
 * over termios, waiting for input with a timeout, and the screen size.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Puts terminal fd in raw mode (no echo, no line editing, no signals), remembering how
 * it was for term_restore(); 0, or -1 with errno (not a terminal: ENOTTY). */
int term_raw(int fd);
/* Puts the terminal back as term_raw() found it (nothing if it was not changed). */
void term_restore(void);
/* Waits until fd has input or timeout_ns passes: 1 input, 0 timeout, -1 an error. */
int term_wait_input(int fd, uint64_t timeout_ns);
/* The terminal's size (24 x 80 when it will not say). */
void term_size(int fd, unsigned *rows, unsigned *cols);
