/* contrast_print.c - the contrast table as text that fits a terminal, as Markdown, and as JSON. */
#include <stdio.h>
#include <string.h>

#include "contrast.h"

/*
 * Text, two layouts. A grid, a column per transport, when cells of at least
 * CELL_MIN columns fit in the width; else a scenario at a time, a transport a
 * line (what 80 columns and five transports need). Every line fits.
 */
#define NAME_WIDTH 14 /* the grid's first column: the scenario */
#define CELL_MIN 18
#define CELL_MAX 40
#define LABEL_WIDTH 15 /* the other layout: "   unixpacket  " before each cell */
#define MAX_COLS 16

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

/* Prints text from column indent, wrapped at width; the first line after first, the others after more. */
static void wrapped(FILE *out, const char *text, int indent, const char *first, const char *more, int width)
{
	size_t pos = 0, n;

	for (int line = 0;; line++) {
		const char *lead = line ? more : first;
		if ((n = next_line(text, &pos, (size_t)(width - indent - (int)strlen(lead)))) == 0)
			break;
		fprintf(out, "%*s%s%.*s\n", indent, "", lead, (int)n, text + pos - n);
	}
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

/* Grid: one row, the scenario and its question down the first column, each cell down its own. */
static void grid_row(FILE *out, const struct table *tb, size_t r, int cellw)
{
	const struct scenario *sc = tb->rows[r];
	size_t pos[MAX_COLS] = { 0 }, qpos = 0;
	char buf[NAME_WIDTH + 2 + MAX_COLS * (CELL_MAX + 2) + 1];

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
		for (size_t i = 0; i < tb->ncols && i < MAX_COLS; i++) {
			const char *s = cell_at(tb, r, i)->summary;
			size_t n = next_line(s, &pos[i], (size_t)cellw);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%-*.*s  ", cellw, (int)n, s + pos[i] - n);
			more |= n > 0;
		}
		if (!more)
			break;
		put_line(out, buf, o);
	}
	wrapped(out, sc->why, NAME_WIDTH + 2, "why: ", "     ", tb->width);
}

static void grid(FILE *out, const struct table *tb, int cellw)
{
	char buf[NAME_WIDTH + 2 + MAX_COLS * (CELL_MAX + 2) + 1];
	size_t o = (size_t)snprintf(buf, sizeof buf, "\n%-*s", NAME_WIDTH + 2, "");

	for (size_t i = 0; i < tb->ncols && i < MAX_COLS; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%-*s", cellw + 2, tb->cols[i]->scheme);
	put_line(out, buf, o);
	for (size_t r = 0; r < tb->nrows; r++) {
		fputc('\n', out);
		grid_row(out, tb, r, cellw);
	}
}

/* A scenario at a time: its number, name and question, then a line (or more) per transport, then why. */
static void by_scenario(FILE *out, const struct table *tb)
{
	char title[160];

	for (size_t r = 0; r < tb->nrows; r++) {
		const struct scenario *sc = tb->rows[r];
		snprintf(title, sizeof title, "%zu. %s: %s", number(sc), sc->name, sc->question);
		fputc('\n', out);
		wrapped(out, title, 0, "", "   ", tb->width);
		for (size_t i = 0; i < tb->ncols; i++) {
			char first[LABEL_WIDTH + 1];
			snprintf(first, sizeof first, "   %-*s", LABEL_WIDTH - 3, tb->cols[i]->scheme);
			wrapped(out, cell_at(tb, r, i)->summary, 0, first, "               ", tb->width);
		}
		wrapped(out, sc->why, 3, "why: ", "     ", tb->width);
	}
}

void print_text(FILE *out, const struct table *tb)
{
	char head[200];
	int width = tb->width >= CONTRAST_WIDTH_MIN ? tb->width : 80;
	int cellw = tb->ncols ? (width - NAME_WIDTH - 2) / (int)tb->ncols - 2 : CELL_MAX;

	snprintf(head, sizeof head, "socklab contrast over %zu transport%s: every cell was observed in this run", tb->ncols,
		 tb->ncols == 1 ? "" : "s");
	wrapped(out, head, 0, "", "", width);
	if (tb->options) {
		snprintf(head, sizeof head, "(every endpoint impaired with ?%s)", tb->options);
		wrapped(out, head, 0, "", "", width);
	}
	struct table fitted = *tb;
	fitted.width = width;
	if (cellw >= CELL_MIN && tb->ncols <= MAX_COLS)
		grid(out, &fitted, cellw > CELL_MAX ? CELL_MAX : cellw);
	else
		by_scenario(out, &fitted);
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
