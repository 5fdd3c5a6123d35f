/* cli_help.c - a command's --help, printed from its description: usage line, text, options, topics, examples. */
#include "command.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 80      /* --help is the same everywhere: it does not follow the terminal */
#define HELP_COLUMN 30 /* an option longer than this has its text on the next line */

/* A line being filled word by word: col is the cursor, indent where a new line starts. */
struct filler {
	FILE *out;
	int col, indent, width;
	int start; /* the column the current line's first word goes to */
};

/* Writes len bytes of word, on a new line if it does not fit; backquotes become single quotes. */
static void put_word(struct filler *f, const char *word, size_t len)
{
	if (f->col > f->start && f->col + 1 + (int)len > f->width) {
		fprintf(f->out, "\n%*s", f->indent, "");
		f->col = f->start = f->indent;
	}
	if (f->col > f->start) {
		fputc(' ', f->out);
		f->col++;
	}
	for (size_t i = 0; i < len; i++)
		fputc(word[i] == '`' ? '\'' : word[i], f->out);
	f->col += (int)len;
}

void cli_wrap(FILE *out, const char *text, int first, int indent, int width)
{
	struct filler f = { out, first, indent, width, first };

	for (const char *p = text; *p;) {
		if (p[0] == '\n' && p[1] == '\n') { /* a new paragraph, after an empty line */
			fprintf(out, "\n\n%*s", indent, "");
			f.col = f.start = indent;
			p += 2;
			continue;
		}
		if (*p == ' ' || *p == '\n') {
			p++;
			continue;
		}
		size_t len = strcspn(p, " \n");
		put_word(&f, p, len);
		p += len;
	}
	fputc('\n', out);
}

/* "    --poller NAME", "-q, --quiet", "-4": an option as the list of options shows it. */
static int option_label(const struct cli_option *o, char *buf, size_t len)
{
	char head[8] = "    ";

	if (!o->name)
		return snprintf(buf, len, "-%c", o->key);
	if (o->flags & CLI_SHORT)
		snprintf(head, sizeof head, "-%c, ", o->key);
	return snprintf(buf, len, "%s--%s%s%s", head, o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

/*
 * "poll|epoll": the value of an option as the usage line shows it, the words
 * themselves when they are the option's own, few and self-explaining; else
 * its name ("SECONDS"). Returns buf.
 */
static const char *value_text(const struct cli_option *o, char *buf, size_t len)
{
	const char *word, *about;
	size_t n = 0, i = 0;

	if (o->value == CLI_ONE && o->words && o->words->own)
		for (; (word = cli_word(o->words, i, &about)) && !about && i < 6 && n + strlen(word) + 2 < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "", word);
	if (i == 0 || cli_word(o->words, i, NULL)) /* not all of them fit that way */
		snprintf(buf, len, "%s", o->arg);
	return buf;
}

/* The usage line: every option that is listed, then the operands, wrapped under the command's name. */
static void usage_line(const struct command *cmd)
{
	char word[160], value[120];
	struct filler f = { stdout, 0, 0, WIDTH, 0 };

	printf("usage: socklab %s", cmd->name);
	f.col = (int)strlen("usage: socklab ") + (int)strlen(cmd->name);
	f.start = f.col - 1; /* the first option goes after a space, and the next lines under it */
	f.indent = f.col + 1;
	for (const struct cli_option *o = cmd->options; o->key; o++) {
		if (o->flags & (CLI_UNLISTED | CLI_HIDDEN))
			continue;
		if (o->name)
			snprintf(word, sizeof word, "[--%s%s%s]", o->name, o->arg ? " " : "",
				 o->arg ? value_text(o, value, sizeof value) : "");
		else
			snprintf(word, sizeof word, "[-%c]", o->key);
		put_word(&f, word, strlen(word));
	}
	for (size_t i = 0; i < sizeof cmd->operands / sizeof cmd->operands[0] && cmd->operands[i].name; i++)
		put_word(&f, cmd->operands[i].name, strlen(cmd->operands[i].name));
	putchar('\n');
}

/*
 * A list of words and what each means, indented by indent: the topics (their
 * names' column at least width wide), or the values of an option (width 0).
 * A space follows the longest name.
 */
static void word_list(const struct cli_words *w, int indent, int width)
{
	const char *name, *about;

	for (size_t i = 0; (name = cli_word(w, i, &about)); i++)
		if ((int)strlen(name) + 1 > width)
			width = (int)strlen(name) + 1;
	for (size_t i = 0; (name = cli_word(w, i, &about)); i++) {
		printf("%*s%-*s ", indent, "", width, name);
		if (about)
			cli_wrap(stdout, about, indent + width + 1, indent + width + 1, WIDTH);
		else
			putchar('\n');
	}
}

/* The options, a line each (or more), their text in one column. */
static void option_list(const struct command *cmd)
{
	char label[128];
	int column = 0;

	for (const struct cli_option *o = cmd->options; o->key; o++) {
		int n = option_label(o, label, sizeof label) + 4;
		if (n > column && n <= HELP_COLUMN)
			column = n;
	}
	putchar('\n');
	for (const struct cli_option *o = cmd->options; o->key; o++) {
		int n = option_label(o, label, sizeof label);
		printf("  %s", label);
		if (n + 4 > column)
			printf("\n%*s", column, "");
		else
			printf("%*s", column - n - 2, "");
		cli_wrap(stdout, o->help, column, column, WIDTH);
		if (o->flags & CLI_SHOW_WORDS)
			word_list(o->words, column + 2, 0);
	}
}

/* The examples: what each shows, then its command lines. */
static void examples(const struct cli_example *e)
{
	for (; e && e->what; e++) {
		printf("  ");
		cli_wrap(stdout, e->what, 2, 2, WIDTH);
		for (const char *line = e->lines; *line;) {
			size_t len = strcspn(line, "\n");
			printf("    %.*s\n", (int)len, line);
			line += len + (line[len] == '\n');
		}
	}
}

int cli_help(const struct command *cmd)
{
	usage_line(cmd);
	cli_wrap(stdout, cmd->description, 0, 0, WIDTH);
	option_list(cmd);
	if (cmd->topics) {
		printf("\n%s:\n", cmd->topics);
		word_list(cmd->topic_words, 2, 12);
	}
	if (cmd->examples && cmd->examples[0].what) {
		printf("\nexamples:\n");
		examples(cmd->examples);
	}
	return 0;
}
