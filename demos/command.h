/* command.h - a command as data: --help, getopt_long(), the man page and the completions all read it. */
#ifndef SOCKLAB_COMMAND_H
#define SOCKLAB_COMMAND_H

#include <getopt.h> /* optarg, optind: cli_next_option() is getopt_long() */
#include <stddef.h>
#include <stdio.h>

/*
 * One description per command, and everything that shows or parses the
 * command reads it: cli_next_option() builds getopt_long()'s table and option
 * string from .options (so the two cannot disagree), cli_help() prints
 * --help, and `socklab --generate man|bash|zsh|fish` writes socklab(1) and the
 * shell completions (demos/generate/; `make generate` commits them). Where
 * they are: each command's is NAME_command, beside its main() or in its
 * folder's NAME_command.c, listed in commands.c with socklab_program, the
 * program's own (the global options). A list that exists as data elsewhere
 * (the transport registry, contrast's scenarios, the pitfalls...) is
 * referenced through a struct cli_words, never copied.
 *
 * Text: paragraphs are separated by "\n\n"; every other line break is the
 * printer's. Words between backquotes are literal (`socklab --trace`): bold
 * and quoted in the man page, between single quotes in --help.
 */

/* A word from a list, and what it means (about: NULL when the word says it). */
struct cli_word {
	const char *name;
	const char *about;
};

/* Where the words of a list come from: a list of the command's own, or a table that exists already. */
struct cli_words {
	const struct cli_word *own;                      /* ended by { NULL }; or NULL */
	const char *(*nth)(size_t i, const char **about); /* else: the i-th word, NULL past the end */
};

/* What a value or an operand is, for the completions and the man page. */
enum cli_value {
	CLI_TEXT,     /* anything: a number, a size, a message */
	CLI_FILE,     /* a file name */
	CLI_ENDPOINT, /* an endpoint: tcp://HOST:PORT, unix:PATH... */
	CLI_TARGET,   /* a transport's scheme alone (tcp), or an endpoint */
	CLI_ONE,      /* one of the words */
	CLI_LIST,     /* words, separated by commas */
};

enum {
	CLI_SHORT = 1,   /* -KEY works too (the key is a letter) */
	CLI_UNLISTED = 2, /* left out of the usage line (--trace, --help: every command's) */
	CLI_HIDDEN = 4,   /* for contributors: in no help, manual or completion (--generate) */
	CLI_SHOW_WORDS = 8, /* --help and the manual list the words, each with what it means, under the option */
};

/* One option. */
struct cli_option {
	int key;                      /* what getopt_long() returns for it; 0 ends a table */
	const char *name;             /* without "--"; NULL for a short option only (-4) */
	const char *arg;              /* the value's name ("SECONDS"), or NULL: the option takes none */
	enum cli_value value;
	const struct cli_words *words; /* CLI_ONE, CLI_LIST: the words */
	const char *help;             /* what it does: defaults, limits, facts; one paragraph */
	unsigned flags;
};

/* The options most commands share. */
#define CLI_OPTION_TRACE { 't', "trace", NULL, CLI_TEXT, NULL, "narrate every socket call on standard error", CLI_UNLISTED }
#define CLI_OPTION_HELP { 'h', "help", NULL, CLI_TEXT, NULL, "print this command's help and exit", CLI_SHORT | CLI_UNLISTED }
#define CLI_OPTIONS_END { 0, NULL, NULL, CLI_TEXT, NULL, NULL, 0 }

/* An operand: its name as the usage line shows it ("ENDPOINT", "[FILE]", "[MESSAGE...]"). */
struct cli_operand {
	const char *name;
	enum cli_value value;
	const struct cli_words *words;
};

/* An example: what it shows, and the command lines ("\n" between them). */
struct cli_example {
	const char *what;
	const char *lines;
};

/* A subcommand. */
struct command {
	const char *name;
	const char *summary;                  /* one line, for `socklab --help` and the man page */
	int (*main)(int argc, char **argv);
	struct cli_operand operands[3];       /* in order; unused ones have no name */
	const char *description;              /* paragraphs */
	const struct cli_option *options;     /* ended by CLI_OPTIONS_END */
	const char *topics;                   /* a list printed after the options ("scenarios"), or NULL */
	const struct cli_words *topic_words;
	const struct cli_example *examples;   /* ended by { NULL } */
};

/* The subcommands, NULL-terminated (commands.c), and the program itself (its global options, main.c). */
extern const struct command *const commands[];
extern const struct command socklab_program;

/* The transports' schemes, from the registry: "tcp", "udp"... (cli_options.c). */
extern const struct cli_words cli_schemes;

/* The i-th word of w (own or from its table), its meaning in *about (may be NULL); NULL past the end. */
const char *cli_word(const struct cli_words *w, size_t i, const char **about);

/*
 * getopt_long() over cmd's options: its long options and its option string
 * (":" first, so that a missing value is ':') are built from cmd->options
 * each call. Returns what getopt_long() returns: an option's key, '?' or ':'
 * (cli_bad_option() names the problem), or -1 after the last option.
 */
int cli_next_option(const struct command *cmd, int argc, char **argv);

/*
 * The global option at argv[*i] (socklab_program's: "--trace", "-h",
 * "--generate man", "--generate=man"): *o is its row, *value its value or
 * NULL, and *i moves past what it used. Returns 0, or prints the usage error
 * ("unknown option '--frob'") and returns EXIT_USAGE.
 */
int cli_global_option(const struct command *program, int argc, char **argv, int *i, const struct cli_option **o,
		      const char **value);

/* Prints cmd's --help to standard output and returns 0, the exit code of --help. */
int cli_help(const struct command *cmd);

/*
 * Writes text to out wrapped to width columns, every line indented by indent
 * spaces but the first, which starts at column first (the cursor is already
 * there). Backquotes become single quotes; paragraphs are separated by an
 * empty line. Ends with a newline.
 */
void cli_wrap(FILE *out, const char *text, int first, int indent, int width);

#endif
