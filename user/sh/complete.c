/*
 * complete.c - tab completion's pure half (complete.h).
 */
#include "complete.h"
#include "parse.h"

#include <string.h>

/* Words after which the next word is a command again. */
static bool reserved(const char *s, size_t n)
{
	static const char *const words[] = {"if",    "then",  "else", "elif", "do",
	                                    "while", "until", "!",    "{",    "}"};
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

/* A word of the line ended at i: keep it, or note that the next is a command again. */
static void word_done(struct sh_comp_word *w, const char *line, size_t start, size_t i,
                      bool word_is_cmd, bool *command)
{
	size_t eq;
	size_t n = i - start;
	if (word_is_cmd && (sh_is_assignment(line + start, n, &eq) || reserved(line + start, n))) {
		*command = true; /* X=1 cmd, if cmd: the next word is the command */
		return;
	}
	*command = false;
	if (w->nwords < SH_COMP_WORDS) {
		w->wstart[w->nwords] = start;
		w->wlen[w->nwords++] = n;
	}
}

void sh_comp_locate(const char *line, size_t pos, struct sh_comp_word *w)
{
	/* Walk from the start, tracking quotes, to find the word at pos and what precedes it. */
	size_t start = 0;
	bool in_word = false, command = true, sq = false, dq = false, word_is_cmd = true;
	bool redirect = false; /* the word being read names a redirection's file */
	w->nwords = 0;
	for (size_t i = 0; i < pos; i++) {
		char c = line[i];
		if (sq) {
			sq = c != '\'';
			continue;
		}
		if (dq) {
			if (c == '\\' && i + 1 < pos)
				i++;
			else
				dq = c != '"';
			continue;
		}
		if (c == '\\' && i + 1 < pos) {
			if (!in_word) {
				in_word = true;
				start = i;
				word_is_cmd = command;
			}
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' || c == '<' ||
		    c == '>') {
			if (in_word) {
				if (redirect) /* `> file`: not one of the command's words */
					redirect = false;
				else
					word_done(w, line, start, i, word_is_cmd, &command);
				in_word = false;
			}
			if (c == ';' || c == '&' || c == '|') {
				command = true;
				redirect = false;
				w->nwords = 0;
			} else if (c == '<' || c == '>') {
				redirect = true;
			}
			continue;
		}
		if (!in_word) {
			in_word = true;
			start = i;
			word_is_cmd = command;
		}
		if (c == '\'')
			sq = true;
		else if (c == '"')
			dq = true;
	}
	if (!in_word) {
		start = pos;
		word_is_cmd = command;
	}
	w->start = start;
	w->command = word_is_cmd && !redirect;
	w->redirect = redirect;
	w->dir_len = 0;
	for (size_t i = start; i < pos; i++)
		if (line[i] == '/')
			w->dir_len = i + 1 - start;
	if (w->dir_len)
		w->command = false; /* a path to run: complete it as a path */
}

static bool word_is(const char *line, const struct sh_comp_word *w, unsigned i, const char *s)
{
	return w->wlen[i] == strlen(s) && memcmp(line + w->wstart[i], s, w->wlen[i]) == 0;
}

void sh_comp_classify(const char *line, size_t pos, const struct sh_comp_word *w,
                      struct sh_comp_target *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = SH_COMP_PATH;
	if (w->command) {
		t->kind = SH_COMP_COMMAND;
		return;
	}
	if (w->nwords == 0 || w->redirect)
		return;
	unsigned c = 0; /* the command's word */
	if (word_is(line, w, 0, "run")) {
		/* run's own options, as sh_builtin_run() reads them */
		unsigned i = 1;
		while (i < w->nwords) {
			if (word_is(line, w, i, "--")) {
				i++;
				break;
			}
			if (word_is(line, w, i, "--grant") || word_is(line, w, i, "--pool")) {
				if (i + 1 == w->nwords) { /* the cursor's word is its argument */
					if (word_is(line, w, i, "--grant"))
						t->kind = SH_COMP_GRANT;
					return;
				}
				i += 2;
				continue;
			}
			break;
		}
		if (i == w->nwords) { /* the cursor's word: run's option or the program */
			if (w->start < pos && line[w->start] == '-' &&
			    !word_is(line, w, i - 1, "--"))
				t->kind = SH_COMP_OPTION;
			else if (w->dir_len == 0)
				t->kind = SH_COMP_COMMAND;
			if (t->kind == SH_COMP_OPTION) {
				t->cmd_start = w->wstart[0];
				t->cmd_len = w->wlen[0];
			}
			return;
		}
		c = i;
	}
	if (w->start >= pos || line[w->start] != '-' || w->nwords == SH_COMP_WORDS)
		return;
	for (unsigned i = c + 1; i < w->nwords; i++)
		if (word_is(line, w, i, "--"))
			return; /* the options have ended */
	t->kind = SH_COMP_OPTION;
	t->cmd_start = w->wstart[c];
	t->cmd_len = w->wlen[c];
}

bool sh_comp_matches(const char *name, const char *prefix, size_t n)
{
	return strncmp(name, prefix, n) == 0;
}

bool sh_comp_decide(const char *const *cands, unsigned n, size_t plen, char *ins, size_t cap)
{
	ins[0] = 0;
	if (n == 0 || cap == 0)
		return false;
	size_t common = strlen(cands[0]);
	for (unsigned i = 1; i < n; i++) {
		size_t j = 0;
		while (j < common && cands[i][j] == cands[0][j])
			j++;
		common = j;
	}
	if (common < plen)
		common = plen;
	size_t add = common - plen;
	if (add + 2 > cap)
		return false;
	memcpy(ins, cands[0] + plen, add);
	ins[add] = 0;
	if (n == 1) {
		size_t l = strlen(cands[0]);
		if (l == 0 || cands[0][l - 1] != '/')
			strcpy(ins + add, " ");
		return false;
	}
	return add == 0;
}
