/* docs_parse.c - find the `console` blocks of a Markdown page, and match output against what they show. */
#include "docs_runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *arr (of *n elements of size sz) by one zeroed element; returns it. Aborts on no memory: tests only. */
static void *push(void *arr, size_t *n, size_t sz)
{
	char *p = realloc(*(void **)arr, (*n + 1) * sz);
	if (!p)
		abort();
	memset(p + *n * sz, 0, sz);
	*(void **)arr = p;
	return p + (*n)++ * sz;
}

static char *dup_trimmed(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* A fence: three or more backticks or tildes after at most three spaces. Returns its length, 0 if none. */
static size_t fence_len(const char *line, char *ch)
{
	size_t i = 0, n = 0;

	while (i < 3 && line[i] == ' ')
		i++;
	if (line[i] != '`' && line[i] != '~')
		return 0;
	*ch = line[i];
	while (line[i + n] == *ch)
		n++;
	return n >= 3 ? n : 0;
}

static const char *skip_fence(const char *line)
{
	while (*line == ' ')
		line++;
	while (*line == '`' || *line == '~')
		line++;
	while (*line == ' ')
		line++;
	return line;
}

static int fail(char *why, size_t whylen, const char *path, int line, const char *msg)
{
	snprintf(why, whylen, "%s:%d: %s", path, line, msg);
	return -1;
}

/* Adds one line of a console block to blk: a command, or a line of expected output. */
static int block_line(struct docs_block *blk, char *line, int lineno, const char *path, char *why, size_t whylen)
{
	if (strncmp(line, "$ ", 2) == 0 || strcmp(line, "$") == 0) {
		struct docs_cmd *c = push(&blk->cmds, &blk->ncmds, sizeof *c);
		c->line = lineno;
		c->text = strdup(line[1] ? line + 2 : "");
		size_t n = strlen(c->text);
		if (n >= 2 && strcmp(c->text + n - 2, " &") == 0) {
			c->background = 1;
			c->text[n - 2] = '\0';
		}
		free(line);
		return 0;
	}
	if (blk->ncmds == 0) {
		free(line);
		return fail(why, whylen, path, lineno, "output before any '$ ' command in a console block");
	}
	struct docs_cmd *c = &blk->cmds[blk->ncmds - 1];
	*(char **)push(&c->expect, &c->nexpect, sizeof(char *)) = line;
	return 0;
}

static int check_block(const struct docs_block *blk, const char *path, char *why, size_t whylen)
{
	for (size_t i = 0; i < blk->ncmds; i++)
		if (blk->cmds[i].background && blk->cmds[i].nexpect != 1)
			return fail(why, whylen, path, blk->cmds[i].line,
				    "a background command ('... &') is followed by exactly one line: its first line of output");
	return 0;
}

int docs_parse(const char *text, const char *path, struct docs_page *page, char *why, size_t whylen)
{
	struct docs_block *blk = NULL; /* the console block being read */
	size_t open_len = 0;           /* the fence that opened the current block (any language) */
	char open_ch = 0;
	int lineno = 0, open_line = 0;

	memset(page, 0, sizeof *page);
	page->path = strdup(path);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = dup_trimmed(p, n);
		char ch = 0;
		size_t f = fence_len(line, &ch);
		lineno++;
		p += n + (nl ? 1 : 0);

		if (open_len == 0 && f) { /* an opening fence */
			open_len = f, open_ch = ch, open_line = lineno;
			const char *info = skip_fence(line);
			if (strcmp(info, "console") == 0 || strcmp(info, "console netns") == 0) {
				blk = push(&page->blocks, &page->nblocks, sizeof *blk);
				blk->line = lineno;
				blk->netns = strcmp(info, "console netns") == 0;
			}
			free(line);
		} else if (open_len && f >= open_len && ch == open_ch && *skip_fence(line) == '\0') { /* its closing fence */
			open_len = 0;
			if (blk && check_block(blk, path, why, whylen) < 0) {
				free(line);
				return -1;
			}
			blk = NULL;
			free(line);
		} else if (blk) {
			if (block_line(blk, line, lineno, path, why, whylen) < 0)
				return -1;
		} else {
			free(line);
		}
	}
	if (open_len)
		return fail(why, whylen, path, open_line, "this fence is never closed");
	return 0;
}

void docs_page_free(struct docs_page *page)
{
	for (size_t b = 0; b < page->nblocks; b++) {
		struct docs_block *blk = &page->blocks[b];
		for (size_t c = 0; c < blk->ncmds; c++) {
			for (size_t e = 0; e < blk->cmds[c].nexpect; e++)
				free(blk->cmds[c].expect[e]);
			free(blk->cmds[c].expect);
			free(blk->cmds[c].text);
		}
		free(blk->cmds);
	}
	free(page->blocks);
	free(page->path);
	memset(page, 0, sizeof *page);
}

/*
 * Glob matching with one kind of wildcard, the classic two-pointer way: on a
 * mismatch, go back to the last wildcard and let it swallow one more item.
 * Used twice: characters within a line, and lines within an output.
 */
int docs_line_matches(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (strncmp(pat, "...", 3) == 0) {
			star = pat += 3;
			resume = s;
		} else if (*pat && *pat == *s) {
			pat++, s++;
		} else if (star) {
			pat = star;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (strncmp(pat, "...", 3) == 0)
		pat += 3;
	return *pat == '\0';
}

int docs_lines_match(char *const *expect, size_t nexpect, char *const *actual, size_t nactual)
{
	size_t e = 0, a = 0, star = 0, resume = 0;
	int have_star = 0;

	while (a < nactual) {
		if (e < nexpect && strcmp(expect[e], "...") == 0) {
			star = ++e;
			resume = a;
			have_star = 1;
		} else if (e < nexpect && docs_line_matches(expect[e], actual[a])) {
			e++, a++;
		} else if (have_star) {
			e = star;
			a = ++resume;
		} else {
			return 0;
		}
	}
	while (e < nexpect && strcmp(expect[e], "...") == 0)
		e++;
	return e == nexpect;
}

char **docs_split_lines(char *out, size_t *n)
{
	char **lines = NULL;
	size_t cap = 0;

	*n = 0;
	for (char *p = out; p && *p;) {
		char *nl = strchr(p, '\n');
		char *end = nl ? nl : p + strlen(p);
		char *e = end;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		*e = '\0';
		if (*n == cap && !(lines = realloc(lines, (cap = cap * 2 + 8) * sizeof *lines)))
			abort();
		lines[(*n)++] = p;
		p = nl ? nl + 1 : end;
	}
	return lines;
}
