/* generate_fish.c - the fish completions: one `complete` line per command, option and operand, from the descriptions. */
#include "generate.h"

#include <string.h>

#include "demos/cli.h"

/* The functions every line below calls: where the cursor is, and what an endpoint or a list completes to. */
static const char helpers[] =
	"# The words before the cursor after socklab and its global options: the command first.\n"
	"function __socklab_args\n"
	"\tset -l args (commandline -opc)[2..-1]\n"
	"\twhile set -q args[1]\n"
	"\t\tswitch $args[1]\n"
	"\t\t\tcase `GLOBAL_VALUED`\n"
	"\t\t\t\tset -e args[1..2]\n"
	"\t\t\tcase '-*'\n"
	"\t\t\t\tset -e args[1]\n"
	"\t\t\tcase '*'\n"
	"\t\t\t\tbreak\n"
	"\t\tend\n"
	"\tend\n"
	"\tstring join \\n -- $args\n"
	"end\n\n"
	"function __socklab_needs_command\n"
	"\tset -l args (__socklab_args)\n"
	"\tnot set -q args[1]\n"
	"end\n\n"
	"function __socklab_using -a name\n"
	"\tset -l args (__socklab_args)\n"
	"\tset -q args[1]; and test \"$args[1]\" = \"$name\"\n"
	"end\n\n"
	"# Is the cursor on operand n (from 0; n+ for n and after) of command cmd?\n"
	"function __socklab_operand -a cmd n\n"
	"\tset -l args (__socklab_args)[2..-1]\n"
	"\tset -l i 0\n"
	"\tset -l skip 0\n"
	"\tfor w in $args\n"
	"\t\tif test $skip = 1\n"
	"\t\t\tset skip 0\n"
	"\t\t\tcontinue\n"
	"\t\tend\n"
	"\t\tswitch $w\n"
	"\t\t\tcase '--*=*'\n"
	"\t\t\tcase '-?*'\n"
	"\t\t\t\t__socklab_takes_value $cmd $w; and set skip 1\n"
	"\t\t\tcase '*'\n"
	"\t\t\t\tset i (math $i + 1)\n"
	"\t\tend\n"
	"\tend\n"
	"\tif string match -q '*+' -- $n\n"
	"\t\ttest $i -ge (string trim -r -c + -- $n)\n"
	"\telse\n"
	"\t\ttest $i -eq $n\n"
	"\tend\n"
	"end\n\n"
	"# An endpoint: its scheme first (tc -> tcp://), then a host, or a socket file's path.\n"
	"function __socklab_endpoint\n"
	"\tset -l cur (commandline -ct)\n"
	"\tswitch $cur\n"
	"\t\tcase `FILE_PATTERNS`\n"
	"\t\t\tset -l scheme (string split -m 1 : -- $cur)[1]\n"
	"\t\t\tset -l path (string replace -r '^[^:]*:' '' -- $cur)\n"
	"\t\t\tstring match -q '@*' -- $path; and return\n"
	"\t\t\tfor f in (__fish_complete_path $path)\n"
	"\t\t\t\techo $scheme:$f\n"
	"\t\t\tend\n"
	"\t\tcase `NET_PATTERNS`\n"
	"\t\t\tset -l s (string replace -r '://.*' '://' -- $cur)\n"
	"\t\t\tstring match -q '*://*:*' -- $cur; or printf '%s\\n' $s'127.0.0.1:' $s'[::1]:' $s'localhost:'\n"
	"\t\tcase '*'\n"
	"\t\t\tprintf '%s\\n' `BEGINNINGS`\n"
	"\tend\n"
	"end\n\n"
	"# A comma-separated list of the words given: what is typed so far, then each word.\n"
	"function __socklab_list\n"
	"\tset -l head (string replace -r '^--[^=]*=' '' -- (commandline -ct) | string replace -r '[^,]*$' '')\n"
	"\tfor w in $argv\n"
	"\t\techo $head$w\n"
	"\tend\n"
	"end\n\n";

/* Text for a single-quoted fish string. */
static void quoted(FILE *out, const char *text)
{
	fputc('\'', out);
	for (const char *p = text; *p; p++) {
		if (*p == '\'' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('\'', out);
}

/* What completes a value or an operand: -a with words, a list, an endpoint; -F for files. */
static void values(FILE *out, enum cli_value v, const struct cli_words *w)
{
	switch (v) {
	case CLI_TEXT: break;
	case CLI_FILE: fputs(" -F", out); break;
	case CLI_ENDPOINT: fputs(" -a '(__socklab_endpoint)'", out); break;
	case CLI_TARGET:
		fputs(" -a '", out);
		generate_schemes(out, " ", SCHEMES_ALL, 0);
		fputs(" (__socklab_endpoint)'", out);
		break;
	case CLI_ONE:
		fputs(" -a '", out);
		generate_join(out, w, " ");
		fputc('\'', out);
		break;
	case CLI_LIST:
		fputs(" -a '(__socklab_list ", out);
		generate_join(out, w, " ");
		fputs(")'", out);
		break;
	}
}

static void option(FILE *out, const char *when, const struct cli_option *o)
{
	char brief[96];

	fprintf(out, "complete -c socklab -n %s", when);
	if (o->flags & CLI_SHORT)
		fprintf(out, " -s %c", o->key);
	if (o->name)
		fprintf(out, " -l %s", o->name);
	if (o->arg)
		fputs(o->value == CLI_FILE ? " -r" : " -x", out);
	values(out, o->value, o->words);
	fputs(" -d ", out);
	quoted(out, generate_brief(o->help, brief, sizeof brief));
	fputc('\n', out);
}

static void command(FILE *out, const struct command *c)
{
	char when[160];

	fprintf(out, "\n# socklab %s\n", c->name);
	snprintf(when, sizeof when, "'__socklab_using %s'", c->name);
	for (const struct cli_option *o = c->options; o->key; o++)
		if (!(o->flags & CLI_HIDDEN))
			option(out, when, o);
	for (size_t i = 0; i < sizeof c->operands / sizeof c->operands[0] && c->operands[i].name; i++) {
		const struct cli_operand *op = &c->operands[i];
		if (op->value == CLI_TEXT)
			continue;
		fprintf(out, "complete -c socklab -n '__socklab_using %s; and __socklab_operand %s %zu%s'", c->name, c->name,
			i, strstr(op->name, "...") ? "+" : "");
		values(out, op->value, op->words);
		fputc('\n', out);
	}
}

/* What goes in each hole of the helpers: patterns and words from the registry and the global options. */
static void hole(FILE *out, const char *name, size_t n)
{
	if (n == 13 && strncmp(name, "FILE_PATTERNS", n) == 0) {
		fputc('\'', out);
		generate_schemes(out, ":*' '", SCHEMES_FILE, 0);
		fputs(":*'", out);
	} else if (n == 12 && strncmp(name, "NET_PATTERNS", n) == 0) {
		fputc('\'', out);
		generate_schemes(out, "://*' '", SCHEMES_NET, 0);
		fputs("://*'", out);
	} else if (n == 10 && strncmp(name, "BEGINNINGS", n) == 0) {
		generate_schemes(out, " ", SCHEMES_ALL, 1);
	} else if (n == 13 && strncmp(name, "GLOBAL_VALUED", n) == 0) {
		int first = 1;
		for (const struct cli_option *o = socklab_program.options; o->key; o++)
			if (o->arg && o->name) {
				fprintf(out, "%s--%s", first ? "" : " ", o->name);
				first = 0;
			}
		fputs(first ? "--socklab-has-none" : "", out);
	}
}

/* Does option opt of command cmd take a value (a word of its own after it)? */
static void takes_value(FILE *out)
{
	fputs("function __socklab_takes_value -a cmd opt\n\tswitch $cmd:$opt\n\t\tcase", out);
	for (size_t i = 0; commands[i]; i++)
		for (const struct cli_option *o = commands[i]->options; o->key; o++) {
			if (!o->arg)
				continue;
			if (o->name)
				fprintf(out, " %s:--%s", commands[i]->name, o->name);
			if (o->flags & CLI_SHORT)
				fprintf(out, " %s:-%c", commands[i]->name, o->key);
		}
	fputs("\n\t\t\treturn 0\n\tend\n\treturn 1\nend\n\n", out);
}

void generate_fish(FILE *out)
{
	char when[] = "__socklab_needs_command", brief[96];

	fprintf(out, "# socklab(1) completion for fish, socklab %s - written by `socklab --generate fish` (make generate):\n"
		     "# edit the descriptions (demos/command.h says where), not this file.\n\n",
		SOCKLAB_VERSION);
	generate_fill(out, helpers, hole);
	takes_value(out);
	fputs("complete -c socklab -f\n", out);
	for (const struct cli_option *o = socklab_program.options; o->key; o++)
		if (!(o->flags & CLI_HIDDEN))
			option(out, when, o);
	for (size_t i = 0; commands[i]; i++) {
		fprintf(out, "complete -c socklab -n %s -a %s -d ", when, commands[i]->name);
		quoted(out, generate_brief(commands[i]->summary, brief, sizeof brief));
		fputc('\n', out);
	}
	for (size_t i = 0; commands[i]; i++)
		command(out, commands[i]);
}
