/*
 * edit.h - the interactive line editor's state machine (pure: built on the
 * host too).
 *
 * The terminal is in raw mode (abi/term.h): every byte typed comes to
 * sh_ed_feed(), which edits the line and says what the caller must do next
 * (redraw, run the line, complete, ...). sh_ed_render() gives the bytes that
 * redraw the prompt and line on one terminal row, cursor placed. Keys: Emacs
 * (docs/shell.md "Editing"): Ctrl-A/E/B/F, Alt-B/F, Ctrl-K/U/W, Alt-D, Ctrl-Y,
 * Backspace, Delete, Ctrl-D, arrows, Home/End, Ctrl-P/N and Up/Down through the
 * history, Ctrl-R incremental search (Ctrl-R again: older; Enter runs the match,
 * Ctrl-G cancels, Escape or any other key takes the match to edit), Tab, Ctrl-L,
 * Ctrl-C (drop the line).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hist.h"

#define SH_ED_MAX 1024 /* bytes in a line (the last stays NUL) */

enum sh_ed_result {
	SH_ED_NONE, /* nothing to show (an escape sequence in progress) */
	SH_ED_REDRAW, /* the line changed: redraw it */
	SH_ED_ACCEPT, /* Enter: run buf */
	SH_ED_EOF, /* Ctrl-D on an empty line */
	SH_ED_INTR, /* Ctrl-C: the line is dropped */
	SH_ED_COMPLETE, /* Tab: complete at pos */
	SH_ED_CLEAR, /* Ctrl-L: clear the screen, then redraw */
	SH_ED_BELL, /* a key that did nothing */
};

struct sh_ed {
	char buf[SH_ED_MAX];
	size_t len, pos;
	char kill[SH_ED_MAX]; /* the last text killed, for Ctrl-Y */
	size_t killn;
	int esc; /* escape parser: 0, 1 after ESC, 2 in ESC [ or ESC O, 3 dropping one */
	char seq[8];
	size_t seqn;
	const struct sh_hist *hist;
	int hidx; /* the history line shown, or -1: the new line */
	char saved[SH_ED_MAX]; /* the new line while browsing the history */
	size_t savedn;
	bool search; /* in Ctrl-R */
	char query[64];
	size_t qn;
	int sidx; /* the match shown, or -1 */
	bool sfail; /* the query as typed matches nothing (older than sidx, for Ctrl-R) */
};

/* Start an editor with an empty line; hist may be NULL. */
void sh_ed_start(struct sh_ed *e, const struct sh_hist *hist);
/* Start the next line (the kill buffer stays). */
void sh_ed_next(struct sh_ed *e);
enum sh_ed_result sh_ed_feed(struct sh_ed *e, unsigned char c);
/* Insert n bytes at the cursor (completion); false if the line is full. */
bool sh_ed_insert(struct sh_ed *e, const char *s, size_t n);
/* The bytes that redraw prompt and line in place; returns their length (< cap). */
size_t sh_ed_render(const struct sh_ed *e, const char *prompt, char *out, size_t cap);
