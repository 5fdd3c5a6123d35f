/* generate_man.c - socklab(1) in man(7), from the program's and every command's description. */
#include "generate.h"

#include <ctype.h>
#include <string.h>

#include "demos/cli.h"

/* "[FILE]", "TRANSPORT|ENDPOINT", "[MESSAGE...]": the names in italics, the brackets and bars as they are. */
static void operand(FILE *out, const char *name)
{
	for (const char *p = name; *p;) {
		size_t n = 0;
		while (isupper((unsigned char)p[n]) || p[n] == '_')
			n++;
		if (n) {
			fprintf(out, "\\fI%.*s\\fR", (int)n, p);
			p += n;
		} else {
			fputc(*p++, out);
		}
	}
}

/* "\fB\-q\fR, \fB\-\-quiet\fR \fISECONDS\fR": an option as a list of options shows it. */
static void option_label(FILE *out, const struct cli_option *o)
{
	char text[64];

	if (o->flags & CLI_SHORT) {
		snprintf(text, sizeof text, "-%c", o->key);
		man_word(out, "B", text);
		fputs(o->name ? ", " : "", out);
	}
	if (o->name) {
		snprintf(text, sizeof text, "--%s", o->name);
		man_word(out, "B", text);
	}
	if (o->arg) {
		fputc(' ', out);
		man_word(out, "I", o->arg);
	}
	fputc('\n', out);
}

/* The usage of one command, filled by roff: its name, every listed option, its operands. */
static void synopsis(FILE *out, const struct command *c)
{
	fputs("\\fBsocklab\\fR ", out);
	man_word(out, "B", c->name);
	fputc('\n', out);
	for (const struct cli_option *o = c->options; o->key; o++) {
		char text[64];
		if (o->flags & (CLI_UNLISTED | CLI_HIDDEN))
			continue;
		if (o->name)
			snprintf(text, sizeof text, "--%s", o->name);
		else
			snprintf(text, sizeof text, "-%c", o->key);
		fputc('[', out);
		man_word(out, "B", text);
		if (o->arg) {
			fputc(' ', out);
			man_word(out, "I", o->arg);
		}
		fputs("]\n", out);
	}
	for (size_t i = 0; i < sizeof c->operands / sizeof c->operands[0] && c->operands[i].name; i++) {
		operand(out, c->operands[i].name);
		fputc('\n', out);
	}
}

/* A list of words and what each means, as tagged paragraphs. */
static void word_list(FILE *out, const struct cli_words *w)
{
	const char *name, *about;

	for (size_t i = 0; (name = cli_word(w, i, &about)); i++) {
		fputs(".TP\n", out);
		man_word(out, "B", name);
		fputc('\n', out);
		man_text(out, about ? about : "");
	}
}

static void options(FILE *out, const struct cli_option *list)
{
	for (const struct cli_option *o = list; o->key; o++) {
		if (o->flags & CLI_HIDDEN)
			continue;
		fputs(".TP\n", out);
		option_label(out, o);
		man_text(out, o->help);
		if (o->flags & CLI_SHOW_WORDS) {
			fputs(".RS\n", out);
			word_list(out, o->words);
			fputs(".RE\n", out);
		}
	}
}

/* What each example shows, then its command lines as they are typed. */
static void examples(FILE *out, const struct cli_example *e)
{
	for (; e && e->what; e++) {
		fputs(".PP\n", out);
		man_example(out, e);
	}
}

static void command(FILE *out, const struct command *c)
{
	fputs(".SS ", out);
	man_word(out, NULL, c->name);
	fputc('\n', out);
	synopsis(out, c);
	fputs(".PP\n", out);
	man_text(out, c->description);
	options(out, c->options);
	if (c->topics) {
		fprintf(out, ".PP\nThe %s:\n", c->topics);
		word_list(out, c->topic_words);
	}
	examples(out, c->examples);
}

void generate_man(FILE *out)
{
	fprintf(out, ".\\\" socklab.1 - written by `socklab --generate man` (make generate): edit the\n"
		     ".\\\" descriptions (demos/command.h says where), not this file.\n"
		     ".TH SOCKLAB 1 %s \"socklab %s\" \"User Commands\"\n.SH NAME\nsocklab \\- ",
		SOCKLAB_DATE, SOCKLAB_VERSION);
	man_text(out, socklab_program.summary);
	fputs(".SH SYNOPSIS\n\\fBsocklab\\fR [\\fB\\-\\-trace\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR...]\n"
	      ".br\n\\fBsocklab\\fR \\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n.br\n"
	      "\\fBsocklab\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n.SH DESCRIPTION\n", out);
	man_text(out, socklab_program.description);
	fputs(".PP\nThe commands, each described under COMMANDS below:\n", out);
	for (size_t i = 0; commands[i]; i++) {
		fputs(".TP\n", out);
		man_word(out, "B", commands[i]->name);
		fputc('\n', out);
		man_text(out, commands[i]->summary);
	}
	fputs(".SH OPTIONS\nThese come before the command; each command's own come after it.\n", out);
	options(out, socklab_program.options);
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; commands[i]; i++)
		command(out, commands[i]);
	generate_man_endpoints(out);
	generate_man_closing(out);
}
