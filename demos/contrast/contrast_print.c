/* contrast_print.c - the contrast table as text for a terminal, as Markdown, and as JSON. */
#include <stdio.h>
#include <string.h>

#include "contrast.h"

/* Text: the first column holds the scenario, each other column one transport's cell. */
#define NAME_WIDTH 14
#define CELL_WIDTH 22

static const struct cell *cell_at(const struct table *tb, size_t row, size_t col)
{
	return &tb->cells[row * tb->ncols + col];
}

/*
 * The next line of at most width characters of text, starting at *pos and
 * broken at a space where possible. Returns its length; *pos moves past it.
 */
static size_t next_line(const char *text, size_t *pos, size_t width)
{
	const char *s = text + *pos;
	size_t n = strlen(s);

	while (*s == ' ')
		s++, (*pos)++, n--;
	if (n <= width) {
		*pos += n;
		return n;
	}
	size_t cut = width;
	while (cut > 0 && s[cut] != ' ')
		cut--;
	if (cut == 0)
		cut = width; /* one long word: cut it */
	*pos += cut;
	return cut;
}

/* The scenario's number in the full list, as --help lists them. */
static size_t number(const struct scenario *s)
{
	return (size_t)(s - contrast_scenarios) + 1;
}

/* Prints buf without its trailing spaces, and a newline. */
static void put_line(FILE *out, char *buf, size_t o)
{
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	fprintf(out, "%.*s\n", (int)o, buf);
}

/* One row: the scenario and its question down the first column, each cell down its own. */
static void text_row(FILE *out, const struct table *tb, size_t r)
{
	const struct scenario *sc = tb->rows[r];
	size_t pos[16] = { 0 }, qpos = 0, width = tb->ncols * (CELL_WIDTH + 2);
	char buf[NAME_WIDTH + 2 + 16 * (CELL_WIDTH + 2) + 1];

	for (int line = 0;; line++) {
		int more = line == 0;
		size_t o;
		if (line == 0) {
			o = (size_t)snprintf(buf, sizeof buf, "%2zu %-*s", number(sc), NAME_WIDTH - 1, sc->name);
		} else {
			size_t n = next_line(sc->question, &qpos, NAME_WIDTH - 2);
			o = (size_t)snprintf(buf, sizeof buf, "   %-*.*s", NAME_WIDTH - 1, (int)n, sc->question + qpos - n);
			more |= n > 0;
		}
		for (size_t i = 0; i < tb->ncols && i < 16; i++) {
			const char *s = cell_at(tb, r, i)->summary;
			size_t n = next_line(s, &pos[i], CELL_WIDTH);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%-*.*s  ", CELL_WIDTH, (int)n, s + pos[i] - n);
			more |= n > 0;
		}
		if (!more)
			break;
		put_line(out, buf, o);
	}
	/* The why, as wide as the cells. */
	size_t wpos = 0, n;
	for (int line = 0; (n = next_line(sc->why, &wpos, width - 5)) > 0; line++)
		fprintf(out, "%*s%s%.*s\n", NAME_WIDTH + 2, "", line ? "     " : "why: ", (int)n, sc->why + wpos - n);
}

void print_text(FILE *out, const struct table *tb)
{
	char buf[NAME_WIDTH + 2 + 16 * (CELL_WIDTH + 2) + 1];
	size_t o;

	fprintf(out, "socklab contrast: the same scenarios over %zu transport%s; every cell was observed in this run\n",
		tb->ncols, tb->ncols == 1 ? "" : "s");
	if (tb->options)
		fprintf(out, "(every endpoint impaired with ?%s)\n", tb->options);
	o = (size_t)snprintf(buf, sizeof buf, "\n%-*s", NAME_WIDTH + 2, "");
	for (size_t i = 0; i < tb->ncols && i < 16; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%-*s", CELL_WIDTH + 2, tb->cols[i]->scheme);
	put_line(out, buf, o);
	for (size_t r = 0; r < tb->nrows; r++) {
		fputc('\n', out);
		text_row(out, tb, r);
	}
}

/* A Markdown table cell: '|' would end it. */
static void md_cell(FILE *out, const char *s)
{
	fputs(" ", out);
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputs(" |", out);
}

void print_markdown(FILE *out, const struct table *tb)
{
	fprintf(out, "| scenario |");
	for (size_t i = 0; i < tb->ncols; i++)
		fprintf(out, " %s |", tb->cols[i]->scheme);
	fprintf(out, " why |\n|---|");
	for (size_t i = 0; i < tb->ncols; i++)
		fprintf(out, "---|");
	fprintf(out, "---|\n");
	for (size_t r = 0; r < tb->nrows; r++) {
		fprintf(out, "| %zu. **%s**: %s |", number(tb->rows[r]), tb->rows[r]->name, tb->rows[r]->question);
		for (size_t i = 0; i < tb->ncols; i++)
			md_cell(out, cell_at(tb, r, i)->summary);
		md_cell(out, tb->rows[r]->why);
		fputc('\n', out);
	}
	if (tb->options)
		fprintf(out, "\nEvery endpoint impaired with `?%s`.\n", tb->options);
}

void print_json(FILE *out, const struct table *tb)
{
	fprintf(out, "[\n");
	for (size_t r = 0; r < tb->nrows; r++)
		for (size_t i = 0; i < tb->ncols; i++) {
			const struct cell *c = cell_at(tb, r, i);
			fprintf(out, "  {\"scenario\": ");
			json_string(out, tb->rows[r]->name, strlen(tb->rows[r]->name));
			fprintf(out, ", \"transport\": ");
			json_string(out, tb->cols[i]->scheme, strlen(tb->cols[i]->scheme));
			fprintf(out, ", \"observed\": {%.*s}, \"summary\": ", (int)c->olen, c->obs);
			json_string(out, c->summary, strlen(c->summary));
			fprintf(out, "}%s\n", r + 1 == tb->nrows && i + 1 == tb->ncols ? "" : ",");
		}
	fprintf(out, "]\n");
}
