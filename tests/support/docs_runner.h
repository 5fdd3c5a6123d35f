/* docs_runner.h - run the `console` blocks of Markdown pages and check what they print (docs/CONVENTIONS.md). */
#ifndef SOCKLAB_DOCS_RUNNER_H
#define SOCKLAB_DOCS_RUNNER_H

#include <stddef.h>

/* One `$ CMD` line and the output the page says it prints. */
struct docs_cmd {
	int line;          /* where the command is in the page, counting from 1 */
	char *text;        /* the command for /bin/sh, without "$ " (and without " &") */
	int background;    /* it ended in " &": wait for its first line, stop it at block end */
	char **expect;     /* expected lines, trailing blanks removed */
	size_t nexpect;
};

/* One ```console block. */
struct docs_block {
	int line;          /* the opening fence */
	int netns;         /* "console netns": runs only where a private network namespace can be made */
	struct docs_cmd *cmds;
	size_t ncmds;
};

struct docs_page {
	char *path;
	struct docs_block *blocks;
	size_t nblocks;
};

/*
 * Splits text (a whole Markdown page) into its runnable blocks: fences whose
 * info string is exactly "console", or "console netns" (a block that needs a
 * private network namespace: see struct docs_options); "console norun" and
 * every other language are skipped. Returns 0, or -1 with the reason and line in why (output
 * before any command, a background command without exactly one expected
 * line, an unclosed fence). path is kept for messages. Allocates; see
 * docs_page_free().
 */
int docs_parse(const char *text, const char *path, struct docs_page *page, char *why, size_t whylen);
void docs_page_free(struct docs_page *page);

/* Does line match pattern? "..." in pattern matches any text, nothing included. */
int docs_line_matches(const char *pattern, const char *line);

/*
 * Do the actual lines match the expected ones? An expected line that is
 * exactly "..." matches any number of lines, none included; other lines
 * match as docs_line_matches() says. Returns 1 or 0.
 */
int docs_lines_match(char *const *expect, size_t nexpect, char *const *actual, size_t nactual);

/*
 * Splits out (modified in place) into lines, trailing blanks removed as they
 * are from the page's lines. Returns a malloc'd array of *n pointers into out.
 */
char **docs_split_lines(char *out, size_t *n);

struct docs_options {
	const char *socklab;  /* the program put first on PATH as "socklab" */
	int cmd_timeout_ms;   /* a foreground command is killed after this long */
	int ready_timeout_ms; /* a background command must print its first line within this */
	int stop_timeout_ms;  /* after SIGTERM at block end, SIGKILL after this long */
	const char *no_netns; /* why this machine cannot make a network namespace, or NULL: "console netns" blocks are skipped */
};

/*
 * Runs every block of page in order, each in a fresh temporary directory,
 * each command with /bin/sh -c, standard output and error merged, standard
 * input /dev/null. A block stops at its first failing command. Appends one
 * report per failure (file:line, the command, expected and actual output) to
 * *report (a malloc'd string, NULL at first). Returns the number of failures;
 * -1 if the runner itself could not work (no temporary directory...).
 */
int docs_run_page(const struct docs_page *page, const struct docs_options *opt, char **report);

/* How many blocks docs_run_page() skipped since the start, for the summary. */
extern size_t docs_skipped;

#endif
