/* shells.h - driving the completions as bash and fish do, and the small file chores of those tests. */
#ifndef SOCKLAB_TEST_SHELLS_H
#define SOCKLAB_TEST_SHELLS_H

#include <stddef.h>

/* The whole file at path, NUL-terminated, its length in *len (caller frees); NULL when it cannot be read. */
char *shells_slurp(const char *path, size_t *len);

/* Writes len bytes of data to path, created or truncated. 0, or -1. */
int shells_write(const char *path, const void *data, size_t len);

/* Is program on PATH? */
int shells_have(const char *program);

/*
 * Completes line (the cursor at its end) with the bash completion script at
 * script, as bash does: the words split at blanks and at the ':' and '=' of
 * COMP_WORDBREAKS (breaks: ":=" as bash's default has them, "" for a bash
 * without), _socklab called, and COMPREPLY written into out, one reply per
 * line. cwd is where bash runs. 0, or -1 when bash could not run.
 */
int shells_bash_complete(const char *script, const char *cwd, const char *line, const char *breaks, char *out,
			 size_t len);

/* The cases every bash script must pass (Criterion expectations), with files made in dir to complete. */
void shells_bash_cases(const char *script, const char *dir);

/* The same with fish's own completion engine (complete -C), for the fish file at path. */
void shells_fish_cases(const char *path, const char *dir);

#endif
