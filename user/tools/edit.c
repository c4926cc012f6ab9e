/*
 * edit.c - `edit file`: a small full-screen editor on a terminal (raw mode and
 * VT100 sequences). The text and its edits are lib/edbuf.c; this file is the
 * keys and the screen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/edbuf.h"
#include "lib/term.h"
#include "lib/tool.h"

static const struct tool edit_tool = {
    "edit", "edit file",
    "Edits a file (a new one if it does not exist) on the terminal.\n"
    "  arrows, Home, End, PgUp, PgDn  move     Backspace, Delete  delete\n"
    "  Ctrl-S  save     Ctrl-F  find (Enter: the next match, Esc: stop)\n"
    "  Ctrl-Q  quit (with unsaved changes: press it again to quit without saving)\n"
    "Needs a terminal on standard input and output.\n"
    "Not supported: undo, selections, copy and paste, syntax colours, tabs are shown\n"
    "as one space, lines wider than the screen scroll sideways.\n"};

#define KEY_CTRL(c) ((c)&0x1f)
enum {
	KEY_UP = 1000,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DEL,
	KEY_PGUP,
	KEY_PGDN,
	KEY_ESC,
};

static struct edbuf buf;
static const char *path;
static unsigned rows, cols; /* of the screen; rows - 1 for text */
static size_t top, left; /* first row and column shown */
static char status[256];
static char search[128];

/* Input queue: what the last read() returned. The console sends each key's bytes in
 * one message, so an escape sequence never spans two reads, and an Esc with nothing
 * after it in its read is the Esc key (no waiting to tell). */
static unsigned char inq[64];
static size_t inq_len, inq_pos;

/* The next input byte, or -2 at the end of input. */
static int next_byte(void)
{
	if (inq_pos == inq_len) {
		ssize_t n = read(STDIN_FILENO, inq, sizeof(inq));
		if (n <= 0)
			return -2;
		inq_len = (size_t)n;
		inq_pos = 0;
	}
	return inq[inq_pos++];
}

/* The next byte of the current read, or -1. */
static int more(void)
{
	return inq_pos < inq_len ? inq[inq_pos++] : -1;
}

static int read_key(void)
{
	int c = next_byte();
	if (c != 0x1b)
		return c;
	if (inq_pos == inq_len || (inq[inq_pos] != '[' && inq[inq_pos] != 'O'))
		return KEY_ESC;
	inq_pos++;
	int b = more();
	switch (b) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	}
	if (b >= '1' && b <= '8' && more() == '~') {
		switch (b) {
		case '1':
		case '7':
			return KEY_HOME;
		case '4':
		case '8':
			return KEY_END;
		case '3':
			return KEY_DEL;
		case '5':
			return KEY_PGUP;
		case '6':
			return KEY_PGDN;
		}
	}
	/* another sequence (F-keys, Insert): skip the rest of this read */
	inq_pos = inq_len;
	return KEY_ESC;
}

static void scroll(void)
{
	size_t text_rows = rows - 1;
	if (buf.row < top)
		top = buf.row;
	if (buf.row >= top + text_rows)
		top = buf.row - text_rows + 1;
	if (buf.col < left)
		left = buf.col;
	if (buf.col >= left + cols)
		left = buf.col - cols + 1;
}

static void draw(void)
{
	scroll();
	/* the whole screen in one buffer: one write, no flicker */
	size_t cap = (size_t)rows * (cols + 16) + 64, n = 0;
	char *out = malloc(cap);
	if (!out)
		return;
	n += (size_t)snprintf(out + n, cap - n, "\033[?25l\033[H");
	for (unsigned y = 0; y + 1 < rows; y++) {
		size_t r = top + y;
		if (r < buf.nlines) {
			const struct edline *l = &buf.line[r];
			for (size_t x = left; x < l->len && x < left + cols; x++) {
				unsigned char c = (unsigned char)l->s[x];
				out[n++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
			}
		} else {
			out[n++] = '~';
		}
		n += (size_t)snprintf(out + n, cap - n, "\033[K\r\n");
	}
	char line[512];
	int k =
	    snprintf(line, sizeof(line), " %s%s | line %zu/%zu col %zu | %s", path,
	             buf.dirty ? " (modified)" : "", buf.row + 1, buf.nlines, buf.col + 1, status);
	size_t len = k < 0 ? 0 : (size_t)k < cols ? (size_t)k : cols;
	n += (size_t)snprintf(out + n, cap - n, "\033[7m%.*s%*s\033[0m", (int)len, line,
	                      (int)(cols - len), "");
	n += (size_t)snprintf(out + n, cap - n, "\033[%zu;%zuH\033[?25h", buf.row - top + 1,
	                      buf.col - left + 1);
	write(STDOUT_FILENO, out, n);
	free(out);
}

static void save(void)
{
	size_t len;
	char *text = edbuf_text(&buf, &len);
	int fd = text ? open(path, O_WRONLY | O_CREAT | O_TRUNC) : -1;
	ssize_t w = fd >= 0 ? write(fd, text, len) : -1;
	int err = errno;
	if (fd >= 0 && close(fd) < 0 && w >= 0) {
		err = errno;
		w = -1;
	}
	free(text);
	if (w == (ssize_t)len) {
		buf.dirty = false;
		snprintf(status, sizeof(status), "saved %zu bytes", len);
	} else {
		snprintf(status, sizeof(status), "NOT saved: %s", strerror(text ? err : ENOMEM));
	}
}

/* Ctrl-F: the search text is typed on the status line; Enter finds the next match. */
static void find(void)
{
	size_t n = strlen(search);
	for (;;) {
		snprintf(status, sizeof(status), "find: %s  (Enter: next, Esc: stop)", search);
		draw();
		int c = read_key();
		if (c == KEY_ESC || c == KEY_CTRL('q') || c < 0) {
			status[0] = '\0';
			return;
		}
		if (c == '\r' || c == '\n' || c == KEY_CTRL('f')) {
			if (!edbuf_find(&buf, search)) {
				snprintf(status, sizeof(status), "not found: %s", search);
				draw();
				read_key();
				status[0] = '\0';
				return;
			}
			continue;
		}
		if ((c == 0x7f || c == KEY_CTRL('h')) && n > 0)
			search[--n] = '\0';
		else if (c >= 0x20 && c < 0x7f && n + 1 < sizeof(search)) {
			search[n++] = (char)c;
			search[n] = '\0';
		}
	}
}

/* One key; whether to quit. */
static bool key(int c, bool *quit_armed)
{
	bool was_armed = *quit_armed;
	*quit_armed = false;
	size_t page = rows > 2 ? rows - 2 : 1;
	switch (c) {
	case KEY_CTRL('q'):
		if (!buf.dirty || was_armed)
			return true;
		*quit_armed = true;
		snprintf(status, sizeof(status),
		         "unsaved changes: Ctrl-Q again to quit, Ctrl-S to save");
		return false;
	case KEY_CTRL('s'):
		save();
		break;
	case KEY_CTRL('f'):
		find();
		break;
	case KEY_UP:
		edbuf_up(&buf);
		break;
	case KEY_DOWN:
		edbuf_down(&buf);
		break;
	case KEY_LEFT:
		edbuf_left(&buf);
		break;
	case KEY_RIGHT:
		edbuf_right(&buf);
		break;
	case KEY_HOME:
		buf.col = 0;
		break;
	case KEY_END:
		buf.col = buf.line[buf.row].len;
		break;
	case KEY_PGUP:
		for (size_t i = 0; i < page; i++)
			edbuf_up(&buf);
		break;
	case KEY_PGDN:
		for (size_t i = 0; i < page; i++)
			edbuf_down(&buf);
		break;
	case KEY_DEL:
		edbuf_delete(&buf);
		break;
	case 0x7f:
	case KEY_CTRL('h'):
		edbuf_backspace(&buf);
		break;
	case '\r':
	case '\n':
		if (edbuf_newline(&buf) < 0)
			snprintf(status, sizeof(status), "out of memory");
		break;
	default:
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || (c >= 0x80 && c < 0x100)) {
			if (edbuf_insert(&buf, (char)c) < 0)
				snprintf(status, sizeof(status), "out of memory");
		}
		break;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct tool_opts o = {0};
	tool_getopt(&edit_tool, argc, argv, "", &o);
	if (argc - o.ind != 1)
		tool_usage_error(o.ind >= argc ? "missing file" : "one file only");
	path = argv[o.ind];
	if (!tool_isatty(STDIN_FILENO) || !tool_isatty(STDOUT_FILENO)) {
		tool_warn("needs a terminal on standard input and output");
		return 1;
	}
	size_t len = 0;
	char *text = NULL;
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		text = tool_read_all(fd, &len);
		close(fd);
		if (!text) {
			tool_warn_errno(path);
			return 1;
		}
	} else if (errno != ENOENT) {
		tool_warn_errno(path);
		return 1;
	}
	int r = edbuf_load(&buf, text ? text : "", len);
	free(text);
	if (r < 0) {
		tool_warn("%s: out of memory", path);
		return 1;
	}
	snprintf(status, sizeof(status), "%s Ctrl-S save, Ctrl-F find, Ctrl-Q quit",
	         fd >= 0 ? "" : "new file;");
	term_size(STDOUT_FILENO, &rows, &cols);
	if (rows < 2 || cols < 10) {
		tool_warn("the terminal is too small (%ux%u)", cols, rows);
		return 1;
	}
	if (term_raw(STDIN_FILENO) < 0) {
		tool_warn_errno("raw mode");
		return 1;
	}
	bool armed = false;
	for (;;) {
		draw();
		int c = read_key();
		if (c == -2 || key(c, &armed))
			break;
	}
	term_restore();
	write(STDOUT_FILENO, "\033[2J\033[H", 7);
	edbuf_free(&buf);
	return 0;
}
