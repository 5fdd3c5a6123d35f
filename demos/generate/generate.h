/* generate.h - socklab --generate man|bash|zsh|fish: the manual page and the completions, written from the commands' descriptions. */
#ifndef SOCKLAB_GENERATE_H
#define SOCKLAB_GENERATE_H

#include <stddef.h>
#include <stdio.h>

#include "demos/command.h"

/*
 * Everything here reads the same descriptions that --help and getopt_long()
 * read (demos/command.h): socklab_program, commands[], the transport registry
 * and the tables they reference. `make generate` writes the results to
 * man/socklab.1 and completions/, and tests/test_generate.c fails when a
 * committed file differs from what this build writes.
 */

/* The words --generate takes: man, bash, zsh, fish. */
extern const struct cli_words generate_words;

/* Writes what to standard output. Returns 0; EXIT_USAGE (after one line) when what is not one of the words. */
int generate(const char *what);

void generate_man(FILE *out);       /* socklab(1), in man(7) (generate_man.c, generate_man_text.c) */
void generate_bash(FILE *out);      /* generate_bash.c */
void generate_zsh(FILE *out);       /* generate_zsh.c */
void generate_fish(FILE *out);      /* generate_fish.c */

/* The pieces of the manual generate_man.c asks generate_man_text.c for. */
void generate_man_endpoints(FILE *out);
void generate_man_closing(FILE *out); /* ENVIRONMENT, FILES, EXIT STATUS, and what follows */

/* Text for roff: paragraphs become .PP, `literal` words bold and quoted; '-' at a word's start, '\' and leading '.' escaped. */
void man_text(FILE *out, const char *text);
/* A word for roff, escaped the same way, in the font given ("B", "I", or NULL for the current one). */
void man_word(FILE *out, const char *font, const char *word);
/* An example: what it shows, then its command lines as they are typed (.EX); the caller writes any .PP before it. */
void man_example(FILE *out, const struct cli_example *e);

/*
 * For the completions: a help text up to its first ';' or " (", and at most
 * 70 bytes (cut after a word): "how to wait for many sockets: epoll (Linux
 * default) or poll" gives "how to wait for many sockets: epoll". Returns buf.
 */
const char *generate_brief(const char *help, char *buf, size_t len);

/* What a value or operand completes to, for the shell scripts: "endpoint", "file", "one", "list", "target" or "". */
const char *generate_kind(enum cli_value v);

/* Writes text to out, each `NAME` in it replaced by what hole() writes for NAME (len bytes, not NUL-terminated). */
void generate_fill(FILE *out, const char *text, void (*hole)(FILE *out, const char *name, size_t len));

/* Writes w's words to out, separated by sep. */
void generate_join(FILE *out, const struct cli_words *w, const char *sep);

/*
 * Writes the registry's schemes to out, separated by sep: every one, those
 * reached through an address and a port (SCHEMES_NET), or those whose
 * addresses are socket files (SCHEMES_FILE); as endpoints begin ("tcp://",
 * "unix:") when begin is 1, else bare ("tcp").
 */
void generate_schemes(FILE *out, const char *sep, int which, int begin);
enum { SCHEMES_ALL, SCHEMES_NET, SCHEMES_FILE };

#endif
