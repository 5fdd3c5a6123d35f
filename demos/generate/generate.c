/* generate.c - socklab --generate: which file to write, and what the writers share (words, schemes, briefs). */
#include "generate.h"

#include <string.h>

#include "demos/cli.h"
#include "transports/registry.h"

#define BRIEF_MAX 70 /* a description in a completion menu: one line beside the option */

static const struct cli_word what[] = {
	{ "man", "the manual page, socklab(1), in man(7)" },
	{ "bash", "the completion script for bash" },
	{ "zsh", "the completion function for zsh (_socklab)" },
	{ "fish", "the completions for fish" },
	{ NULL, NULL },
};
const struct cli_words generate_words = { .own = what };

int generate(const char *name)
{
	static void (*const writers[])(FILE *) = { generate_man, generate_bash, generate_zsh, generate_fish };

	for (size_t i = 0; what[i].name; i++)
		if (strcmp(name, what[i].name) == 0) {
			writers[i](stdout);
			return 0;
		}
	return cli_usage_error(NULL, "--generate takes man, bash, zsh or fish, not '%.20s'", name);
}

const char *generate_brief(const char *help, char *buf, size_t len)
{
	const char *paren = strstr(help, " (");
	size_t n = strcspn(help, ";");

	if (paren && (size_t)(paren - help) < n)
		n = (size_t)(paren - help);

	if (n > BRIEF_MAX) { /* cut at the last word that fits */
		n = BRIEF_MAX;
		while (n > 0 && help[n] != ' ')
			n--;
	}
	while (n > 0 && (help[n - 1] == ' ' || help[n - 1] == ',' || help[n - 1] == ':'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, help, n);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '`')
			*p = '\'';
	return buf;
}

const char *generate_kind(enum cli_value v)
{
	static const char *const kinds[] = {
		[CLI_TEXT] = "", [CLI_FILE] = "file", [CLI_ENDPOINT] = "endpoint",
		[CLI_TARGET] = "target", [CLI_ONE] = "one", [CLI_LIST] = "list",
	};

	return kinds[v];
}

void generate_join(FILE *out, const struct cli_words *w, const char *sep)
{
	const char *word;

	for (size_t i = 0; (word = cli_word(w, i, NULL)); i++)
		fprintf(out, "%s%s", i ? sep : "", word);
}

void generate_fill(FILE *out, const char *text, void (*hole)(FILE *out, const char *name, size_t len))
{
	for (const char *p = text; *p; p++) {
		const char *end = *p == '`' ? strchr(p + 1, '`') : NULL;
		if (!end) {
			fputc(*p, out);
			continue;
		}
		hole(out, p + 1, (size_t)(end - p - 1));
		p = end;
	}
}

void generate_schemes(FILE *out, const char *sep, int which, int begin)
{
	int first = 1;

	for (size_t i = 0; transport_registry[i]; i++) {
		const struct transport *t = transport_registry[i];
		int file = transport_has_socket_file(t);
		if ((which == SCHEMES_NET && file) || (which == SCHEMES_FILE && !file))
			continue;
		fprintf(out, "%s%s%s", first ? "" : sep, t->scheme, !begin ? "" : file ? ":" : "://");
		first = 0;
	}
}

/* One character of text for roff: '\' is \e, and a '-' that starts a word (an option, "-1") is a minus, \-. */
static void man_char(FILE *out, const char *p, const char *start)
{
	if (*p == '\\')
		fputs("\\e", out);
	else if (*p == '-' && (p == start || p[-1] == ' ' || p[-1] == '(' || p[-1] == '[' || p[-1] == '-' ||
				p[-1] == '`' || p[-1] == '|' || p[-1] == '\n'))
		fputs("\\-", out);
	else
		fputc(*p, out);
}

void man_word(FILE *out, const char *font, const char *word)
{
	if (font)
		fprintf(out, "\\f%s", font);
	if (word[0] == '.' || word[0] == '\'')
		fputs("\\&", out);
	for (const char *p = word; *p; p++)
		man_char(out, p, word);
	if (font)
		fputs("\\fR", out);
}

void man_example(FILE *out, const struct cli_example *e)
{
	man_text(out, e->what);
	fputs(".PP\n.RS 4\n.EX\n", out);
	for (const char *line = e->lines; *line;) {
		size_t len = strcspn(line, "\n");
		char text[512];
		snprintf(text, sizeof text, "%.*s", (int)len, line);
		man_word(out, NULL, text);
		fputc('\n', out);
		line += len + (line[len] == '\n');
	}
	fputs(".EE\n.RE\n", out);
}

void man_text(FILE *out, const char *text)
{
	int bold = 0, col = 0;

	for (const char *p = text; *p;) {
		if (p[0] == '\n' && p[1] == '\n') {
			fputs(col ? "\n.PP\n" : ".PP\n", out);
			p += 2;
			col = 0;
			continue;
		}
		size_t len = strcspn(p, " \n");
		if (len == 0) {
			p++;
			continue;
		}
		/* Lines of at most 80 bytes in the source: a word that would pass it starts a new line. */
		if (col > 0 && col + 1 + (int)len + 6 > 80) {
			fputc('\n', out);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		if (p[0] == '.' || p[0] == '\'')
			col += fprintf(out, "\\&");
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '`') { /* quoted and bold: a literal reads as one in bold and in plain text */
				col += fprintf(out, (bold = !bold) ? "\\(lq\\fB" : "\\fR\\(rq");
				continue;
			}
			man_char(out, p + i, text);
			col += p[i] == '\\' || (p[i] == '-' && i == 0) ? 2 : 1;
		}
		p += len;
	}
	if (col > 0)
		fputc('\n', out);
}
