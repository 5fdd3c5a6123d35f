/* generate_zsh.c - the zsh completion function, _socklab: _arguments specs written from the descriptions. */
#include "generate.h"

#include <string.h>

#include "demos/cli.h"

/* Text inside a single-quoted _arguments spec: a quote ends the quoting, and brackets and colons are the spec's. */
static void quoted(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else if (*p == '[' || *p == ']' || *p == ':' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else
			fputc(*p, out);
	}
}

/* The action that completes a value or an operand of this kind. */
static void action(FILE *out, enum cli_value v, const struct cli_words *w)
{
	switch (v) {
	case CLI_TEXT: fputs(" ", out); break;
	case CLI_FILE: fputs("_files", out); break;
	case CLI_ENDPOINT: fputs("_socklab_endpoint", out); break;
	case CLI_TARGET: fputs("_socklab_target", out); break;
	case CLI_ONE:
		fputc('(', out);
		generate_join(out, w, " ");
		fputc(')', out);
		break;
	case CLI_LIST:
		fputs("_sequence compadd - ", out);
		generate_join(out, w, " ");
		break;
	}
}

/* One option as _arguments takes it: '(-w --timeout)'{-w+,--timeout=}'[brief]:SECONDS:action'. */
static void option(FILE *out, const struct cli_option *o)
{
	char brief[96];

	fputs(" \\\n\t\t", out);
	if (o->key == 'h' && o->name && strcmp(o->name, "help") == 0)
		fputs("'(- *)'", out); /* --help ends the line: nothing else is completed after it */
	else if ((o->flags & CLI_SHORT) && o->name)
		fprintf(out, "'(-%c --%s)'", o->key, o->name);
	if ((o->flags & CLI_SHORT) && o->name)
		fprintf(out, "{-%c%s,--%s%s}'", o->key, o->arg ? "+" : "", o->name, o->arg ? "=" : "");
	else if (o->name)
		fprintf(out, "'--%s%s", o->name, o->arg ? "=" : "");
	else
		fprintf(out, "'-%c%s", o->key, o->arg ? "+" : "");
	fputc('[', out);
	quoted(out, generate_brief(o->help, brief, sizeof brief));
	fputc(']', out);
	if (o->arg) {
		fprintf(out, ":%s:", o->arg);
		action(out, o->value, o->words);
	}
	fputc('\'', out);
}

static void command(FILE *out, const struct command *c)
{
	fprintf(out, "\t%s)\n\t\t_arguments -s -S", c->name);
	for (const struct cli_option *o = c->options; o->key; o++)
		if (!(o->flags & CLI_HIDDEN))
			option(out, o);
	for (size_t i = 0; i < sizeof c->operands / sizeof c->operands[0] && c->operands[i].name; i++) {
		const struct cli_operand *op = &c->operands[i];
		char name[64];
		size_t n = strcspn(op->name + (op->name[0] == '['), "].");
		snprintf(name, sizeof name, "%.*s", (int)n, op->name + (op->name[0] == '['));
		if (strstr(op->name, "..."))
			fprintf(out, " \\\n\t\t'*:%s:", name);
		else
			fprintf(out, " \\\n\t\t'%zu:%s:", i + 1, name);
		action(out, op->value, op->words);
		fputc('\'', out);
	}
	fputs(" && ret=0 ;;\n", out);
}

void generate_zsh(FILE *out)
{
	char brief[96];

	fprintf(out, "#compdef socklab\n# socklab(1) completion for zsh, socklab %s - written by `socklab --generate zsh` "
		     "(make generate):\n# edit the descriptions (demos/command.h says where), not this file.\n\n"
		     "# An endpoint: its scheme first (tc -> tcp://), then a host, or a socket file's path.\n"
		     "_socklab_endpoint() {\n\tif compset -P '(", SOCKLAB_VERSION);
	generate_schemes(out, "|", SCHEMES_FILE, 0);
	fputs("):'; then\n\t\t[[ $PREFIX == @* ]] || _files\n\telif compset -P '(", out);
	generate_schemes(out, "|", SCHEMES_NET, 0);
	fputs(")://'; then\n\t\t[[ $PREFIX == *:* ]] || compadd -S '' -- 127.0.0.1: '[::1]:' localhost:\n"
	      "\telse\n\t\tcompadd -S '' -- ", out);
	generate_schemes(out, " ", SCHEMES_ALL, 1);
	fputs("\n\tfi\n}\n\n# A transport's scheme alone, or an endpoint.\n_socklab_target() {\n"
	      "\t_alternative 'transports:transport:(", out);
	generate_schemes(out, " ", SCHEMES_ALL, 0);
	fputs(")' 'endpoints:endpoint:_socklab_endpoint'\n}\n\n_socklab() {\n"
	      "\tlocal curcontext=$curcontext state line ret=1\n\t_arguments -C", out);
	for (const struct cli_option *o = socklab_program.options; o->key; o++)
		if (!(o->flags & CLI_HIDDEN))
			option(out, o);
	fputs(" \\\n\t\t'1:command:->command' \\\n\t\t'*::argument:->argument' && ret=0\n\tcase $state in\n"
	      "\tcommand)\n\t\tlocal -a cmds\n\t\tcmds=(\n", out);
	for (size_t i = 0; commands[i]; i++) {
		fprintf(out, "\t\t\t'%s:", commands[i]->name);
		quoted(out, generate_brief(commands[i]->summary, brief, sizeof brief));
		fputs("'\n", out);
	}
	fputs("\t\t)\n\t\t_describe -t commands 'socklab command' cmds && ret=0 ;;\n\targument)\n"
	      "\t\tcurcontext=${curcontext%:*:*}:socklab-$words[1]:\n\t\tcase $words[1] in\n", out);
	for (size_t i = 0; commands[i]; i++)
		command(out, commands[i]);
	fputs("\t\tesac ;;\n\tesac\n\treturn ret\n}\n\n_socklab \"$@\"\n", out);
}
