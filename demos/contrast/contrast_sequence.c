/* contrast_sequence.c - the traced exchange as a plain-text sequence diagram: no renderer, any terminal width. */
#include <stdio.h>
#include <string.h>

#include "contrast.h"

/*
 * One diagram per transport, in the order its calls were made:
 *
 *   client                              server
 *                                       socket(AF_INET, SOCK_STREAM, 0) = 3
 *   connect(4) = 0
 *     ------------ the handshake ----------->
 *                                       accept(3) = 5
 *
 * The client's calls on the left, the server's from the middle on; under a
 * call that reaches the other side (data, and on a connection the handshake
 * and the end), an arrow toward it, marked x when the call failed.
 */

/* Writes text in a column from col, at most width characters a line, broken at spaces. */
static void column(FILE *out, int col, int width, const char *text)
{
	size_t n = strlen(text);

	while (n > 0) {
		size_t take = n;
		if ((int)take > width) {
			take = (size_t)width;
			while (take > 0 && text[take] != ' ')
				take--;
			if (take == 0)
				take = (size_t)width;
		}
		fprintf(out, "%*s%.*s\n", col, "", (int)take, text);
		text += take;
		n -= take;
		while (n > 0 && *text == ' ')
			text++, n--;
	}
}

/* "  ---- the end ---->" or "  <--- ----": an arrow across the gap, the words in its middle. */
static void arrow(FILE *out, int len, int rightward, int failed, const char *what)
{
	char line[1024];
	int w = (int)strlen(what), o = 0;

	if (len > (int)sizeof line - 1)
		len = (int)sizeof line - 1;
	for (int i = 0; i < len; i++)
		line[i] = '-';
	line[len] = '\0';
	if (w > 0 && w + 4 < len) {
		o = (len - w - 2) / 2;
		line[o] = ' ';
		memcpy(line + o + 1, what, (size_t)w);
		line[o + 1 + w] = ' ';
	}
	if (rightward)
		line[len - 1] = failed ? 'x' : '>';
	else
		line[0] = failed ? 'x' : '<';
	fprintf(out, "  %s\n", line);
}

static void diagram(FILE *out, const struct calls *run, int width)
{
	int half = width / 2;
	char lbl[220];

	fprintf(out, "== %s\n", run->t->scheme);
	fprintf(out, "client%*sserver\n", half - 6, "");
	for (size_t j = 0; j < run->n; j++) {
		const struct call *k = &run->v[j];
		const char *what;
		call_label(k->line, lbl, sizeof lbl);
		column(out, k->server ? half : 0, k->server ? width - half : half - 1, lbl);
		if (call_reaches_peer(k, run->t, lbl, &what))
			arrow(out, half + 2, !k->server, strstr(lbl, "= -1") != NULL, what);
	}
}

void print_sequence(FILE *out, const struct calls *runs, size_t n, int width)
{
	column(out, 0, width, "socklab contrast --format sequence: the calls of one exchange, traced in this run; an "
			      "arrow is a call whose effect reaches the other side");
	for (size_t i = 0; i < n; i++) {
		fputc('\n', out);
		diagram(out, &runs[i], width);
	}
}
