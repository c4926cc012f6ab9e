/*
 * complete.c - tab completion's pure half (complete.h).
 */
#include "complete.h"
#include "parse.h"

#include <string.h>

void sh_comp_locate(const char *line, size_t pos, struct sh_comp_word *w)
{
	/* Walk from the start, tracking quotes, to find the word at pos and what precedes it. */
	size_t start = 0;
	bool in_word = false, command = true, sq = false, dq = false, word_is_cmd = true;
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
				/* an assignment before the command keeps the next word a command */
				size_t eq;
				command =
				    word_is_cmd && sh_is_assignment(line + start, i - start, &eq);
				in_word = false;
			}
			if (c == ';' || c == '&' || c == '|')
				command = true;
			else if (c == '<' || c == '>')
				command = false;
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
	w->command = word_is_cmd;
	w->dir_len = 0;
	for (size_t i = start; i < pos; i++)
		if (line[i] == '/')
			w->dir_len = i + 1 - start;
	if (w->dir_len)
		w->command = false; /* a path to run: complete it as a path */
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
