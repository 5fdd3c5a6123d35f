/* generate_bash.c - the bash completion script: commands, options, their values, operands, endpoints, files. */
#include "generate.h"

#include <string.h>

#include "demos/cli.h"

/*
 * The script's engine, the same for every command: the words again as typed
 * (bash splits "unix:/tmp/x" and "--opt=value" at ':' and '='), the command,
 * which operand the cursor is on, and the replies, trimmed back to what
 * readline replaces. The tables after it are written from the descriptions.
 */
static const char engine[] =
	"# The words as typed: bash splits \"unix:/tmp/x\" and \"--opt=value\" at ':' and '=', and this joins\n"
	"# them again where no blank separated them in COMP_LINE. Sets words and cword.\n"
	"_socklab_words() {\n"
	"\tlocal line=${COMP_LINE-${COMP_WORDS[*]}} rest w i j=0\n"
	"\twords=() cword=0\n"
	"\tfor ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\trest=${line#\"${line%%[![:blank:]]*}\"}\n"
	"\t\tif ((i > 0 && ${#rest} == ${#line})) && [[ $w == [:=]* || ${words[j - 1]} == *[:=] ]]; then\n"
	"\t\t\twords[j - 1]+=$w\n"
	"\t\telse\n"
	"\t\t\twords[j++]=$w\n"
	"\t\tfi\n"
	"\t\tline=${rest#\"$w\"}\n"
	"\t\t((i == COMP_CWORD)) && cword=$((j - 1))\n"
	"\tdone\n"
	"}\n\n"
	"# Adds to COMPREPLY each candidate that starts with $1.\n"
	"_socklab_add() {\n"
	"\tlocal cur=$1 w\n"
	"\tshift\n"
	"\tfor w; do [[ $w == \"$cur\"* ]] && COMPREPLY+=(\"$w\"); done\n"
	"}\n\n"
	"# Files and directories that start with $2, each after the prefix $1; a directory ends with '/'.\n"
	"_socklab_files() {\n"
	"\tlocal pre=$1 f IFS=$'\\n'\n"
	"\tfor f in $(compgen -f -- \"$2\"); do\n"
	"\t\tif [[ -d $f ]]; then COMPREPLY+=(\"$pre$f/\"); else COMPREPLY+=(\"$pre$f\"); fi\n"
	"\tdone\n"
	"}\n\n"
	"# An endpoint: its scheme first (tc -> tcp://), then a host, or a socket file's path.\n"
	"_socklab_endpoint() {\n"
	"\tlocal cur=$1\n"
	"\tcase $cur in\n"
	"\t`FILE_PATTERN`)\n"
	"\t\t[[ ${cur#*:} == @* ]] || _socklab_files \"${cur%%:*}:\" \"${cur#*:}\" ;;\n"
	"\t`NET_PATTERN`)\n"
	"\t\tlocal s=${cur%%://*}://\n"
	"\t\t[[ ${cur#*://} == *:* ]] || _socklab_add \"$cur\" \"${s}127.0.0.1:\" \"${s}[::1]:\" \"${s}localhost:\" ;;\n"
	"\t*) _socklab_add \"$cur\" `BEGINNINGS` ;;\n"
	"\tesac\n"
	"}\n\n"
	"# Completes $2 as a value of the kind $1 (\"one:WORDS\", \"list:WORDS\", endpoint, target, file).\n"
	"_socklab_value() {\n"
	"\tlocal cur=$2\n"
	"\tcase $1 in\n"
	"\tone:*) _socklab_add \"$cur\" ${1#one:} ;;\n"
	"\tlist:*)\n"
	"\t\tlocal head=\n"
	"\t\t[[ $cur == *,* ]] && head=${cur%,*},\n"
	"\t\tset -- ${1#list:}\n"
	"\t\t_socklab_add \"$cur\" \"${@/#/$head}\" ;;\n"
	"\tendpoint) _socklab_endpoint \"$cur\" ;;\n"
	"\ttarget) _socklab_add \"$cur\" `SCHEMES`; _socklab_endpoint \"$cur\" ;;\n"
	"\tfile) _socklab_files \"\" \"$cur\" ;;\n"
	"\tesac\n"
	"}\n\n";

/* The second half of the engine: finding the command and the operand, then the replies. */
static const char dispatch[] =
	"_socklab() {\n"
	"\tlocal words cword cur prev cmd= i kind n=0 dashdash=0\n"
	"\t_socklab_words\n"
	"\tcur=${words[cword]} prev=${words[cword - 1]}\n"
	"\tCOMPREPLY=()\n"
	"\tfor ((i = 1; i < cword; i++)); do\n"
	"\t\tcase ${words[i]} in\n"
	"\t\t`GLOBAL_VALUED`) ((++i)) ;;\n"
	"\t\t-*) ;;\n"
	"\t\t*) cmd=${words[i]}; break ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tif [[ -z $cmd ]]; then\n"
	"\t\tif [[ $cur == -* ]]; then _socklab_add \"$cur\" `GLOBAL_OPTIONS`\n"
	"\t\telse _socklab_add \"$cur\" `COMMANDS`; fi\n"
	"\telse\n"
	"\t\tfor ((++i; i < cword; i++)); do\n"
	"\t\t\tif ((dashdash)); then ((++n)); continue; fi\n"
	"\t\t\tcase ${words[i]} in\n"
	"\t\t\t--) dashdash=1 ;;\n"
	"\t\t\t-?*) _socklab_option $cmd \"${words[i]}\" >/dev/null && ((++i)) ;;\n"
	"\t\t\t*) ((++n)) ;;\n"
	"\t\t\tesac\n"
	"\t\tdone\n"
	"\t\tif ((!dashdash)) && [[ $cur == --*=* ]]; then\n"
	"\t\t\tkind=$(_socklab_option $cmd \"${cur%%=*}\") && _socklab_value \"$kind\" \"${cur#*=}\"\n"
	"\t\t\tCOMPREPLY=(\"${COMPREPLY[@]/#/${cur%%=*}=}\")\n"
	"\t\telif ((!dashdash)) && [[ $prev == -?* ]] && kind=$(_socklab_option $cmd \"$prev\"); then\n"
	"\t\t\t_socklab_value \"$kind\" \"$cur\"\n"
	"\t\telif ((!dashdash)) && [[ $cur == -* ]]; then\n"
	"\t\t\t_socklab_add \"$cur\" $(_socklab_options $cmd)\n"
	"\t\telif kind=$(_socklab_operand $cmd $n); then\n"
	"\t\t\t_socklab_value \"$kind\" \"$cur\"\n"
	"\t\tfi\n"
	"\tfi\n"
	"\t# readline replaces only what follows the last ':' or '=' that bash splits at: keep that part.\n"
	"\tlocal breaks=\n"
	"\t[[ $COMP_WORDBREAKS == *:* ]] && breaks+=:\n"
	"\t[[ $COMP_WORDBREAKS == *=* ]] && breaks+==\n"
	"\tif [[ -n $breaks && $cur == *[$breaks]* ]]; then\n"
	"\t\tlocal pre=${cur%\"${cur##*[$breaks]}\"}\n"
	"\t\tCOMPREPLY=(\"${COMPREPLY[@]#\"$pre\"}\")\n"
	"\tfi\n"
	"\t# A scheme, a directory, a list or \"--opt=\" goes on: no space after it.\n"
	"\tif ((${#COMPREPLY[@]} == 1)) && [[ $COMPREPLY == *[/:=,] ]]; then compopt -o nospace 2>/dev/null; fi\n"
	"\treturn 0\n"
	"}\n\n"
	"complete -F _socklab socklab\n";

/* The global options: those that take a value (a case pattern), or all that are completed. */
static void global_options(FILE *out, int valued)
{
	int first = 1;

	for (const struct cli_option *o = socklab_program.options; o->key; o++) {
		if (valued ? !o->arg : (o->flags & CLI_HIDDEN) != 0)
			continue;
		if (o->name)
			fprintf(out, "%s--%s", first ? "" : valued ? "|" : " ", o->name);
		else
			fprintf(out, "%s-%c", first ? "" : valued ? "|" : " ", o->key);
		first = 0;
	}
	if (first)
		fputs(valued ? "--socklab-has-none" : "", out);
}

/* What goes in each hole of the engine: what the registry and the tables hold. */
static void hole(FILE *out, const char *name, size_t n)
{
	if (n == 12 && strncmp(name, "FILE_PATTERN", n) == 0) {
		generate_schemes(out, ":*|", SCHEMES_FILE, 0);
		fputs(":*", out);
	} else if (n == 11 && strncmp(name, "NET_PATTERN", n) == 0) {
		generate_schemes(out, "://*|", SCHEMES_NET, 0);
		fputs("://*", out);
	} else if (n == 10 && strncmp(name, "BEGINNINGS", n) == 0) {
		generate_schemes(out, " ", SCHEMES_ALL, 1);
	} else if (n == 7 && strncmp(name, "SCHEMES", n) == 0) {
		generate_schemes(out, " ", SCHEMES_ALL, 0);
	} else if (n == 8 && strncmp(name, "COMMANDS", n) == 0) {
		for (size_t i = 0; commands[i]; i++)
			fprintf(out, "%s%s", i ? " " : "", commands[i]->name);
	} else if (n == 13 && strncmp(name, "GLOBAL_VALUED", n) == 0) {
		global_options(out, 1);
	} else if (n == 14 && strncmp(name, "GLOBAL_OPTIONS", n) == 0) {
		global_options(out, 0);
	}
}

/* What a value or operand completes to: "one:WORD WORD...", "list:...", endpoint, target, file or text. */
static void kind(FILE *out, enum cli_value v, const struct cli_words *w)
{
	if (v == CLI_ONE || v == CLI_LIST) {
		fprintf(out, "\"%s:", generate_kind(v));
		generate_join(out, w, " ");
		fputc('"', out);
	} else {
		fputs(v == CLI_TEXT ? "text" : generate_kind(v), out);
	}
}

/* The three tables of the script: each command's options, the values they take, its operands. */
static void tables(FILE *out)
{
	fputs("# The options of command $1.\n_socklab_options() {\n\tcase $1 in\n", out);
	for (size_t i = 0; commands[i]; i++) {
		fprintf(out, "\t%s) echo", commands[i]->name);
		for (const struct cli_option *o = commands[i]->options; o->key; o++) {
			if (o->flags & CLI_HIDDEN)
				continue;
			else if (o->name)
				fprintf(out, " --%s", o->name);
			else
				fprintf(out, " -%c", o->key);
		}
		fputs(" ;;\n", out);
	}
	fputs("\tesac\n}\n\n# What option $2 of command $1 takes; fails when it takes no value.\n"
	      "_socklab_option() {\n\tcase $1:$2 in\n", out);
	for (size_t i = 0; commands[i]; i++)
		for (const struct cli_option *o = commands[i]->options; o->key; o++) {
			if (!o->arg)
				continue;
			fputc('\t', out);
			if (o->name)
				fprintf(out, "%s:--%s", commands[i]->name, o->name);
			if (o->flags & CLI_SHORT)
				fprintf(out, "%s%s:-%c", o->name ? " | " : "", commands[i]->name, o->key);
			fputs(") echo ", out);
			kind(out, o->value, o->words);
			fputs(" ;;\n", out);
		}
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n# What operand $2 (from 0) of command $1 is; fails past the last.\n"
	      "_socklab_operand() {\n\tcase $1:$2 in\n", out);
	for (size_t i = 0; commands[i]; i++) {
		const struct cli_operand *ops = commands[i]->operands;
		for (size_t k = 0; k < sizeof commands[i]->operands / sizeof ops[0] && ops[k].name; k++) {
			/* "[MESSAGE...]" repeats: every operand from here on is one */
			char at[16];
			snprintf(at, sizeof at, strstr(ops[k].name, "...") ? "*" : "%zu", k);
			fprintf(out, "\t%s:%s) echo ", commands[i]->name, at);
			kind(out, ops[k].value, ops[k].words);
			fputs(" ;;\n", out);
		}
	}
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n", out);
}

void generate_bash(FILE *out)
{
	fprintf(out, "# socklab(1) completion for bash, socklab %s - written by `socklab --generate bash` (make generate):\n"
		     "# edit the descriptions (demos/command.h says where), not this file.\n\n",
		SOCKLAB_VERSION);
	generate_fill(out, engine, hole);
	tables(out);
	generate_fill(out, dispatch, hole);
}
