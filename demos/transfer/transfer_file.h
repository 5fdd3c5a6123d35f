/* transfer_file.h - recv's FILE: a temporary file beside it, renamed over it only when the transfer is whole. */
#ifndef SOCKLAB_TRANSFER_FILE_H
#define SOCKLAB_TRANSFER_FILE_H

#include <limits.h>
#include <sys/types.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct out_file {
	const char *path;       /* FILE as given; NULL: standard output */
	char target[PATH_MAX];  /* the regular file to replace (a symlink's target), "" when written in place */
	char tmp[PATH_MAX + 32];/* the temporary file beside it, "" when FILE is written in place */
	int fd;                 /* where the data goes */
	int existed;            /* FILE was there: a failure leaves it as it was */
	mode_t mode;            /* the mode FILE has, or a new file would get */
};

/*
 * Before the socket: decides how FILE is written. A regular file, or none
 * yet: the data goes to a temporary file in the same directory, made now
 * (so that a directory that takes no file is said before anything else). A
 * device, a FIFO: written in place, opened by out_file_ready(). A directory:
 * refused. Prints the error; 0 or EXIT_RUNTIME. path NULL or "-": standard output.
 */
int out_file_open(struct out_file *o, const char *path);

/* Once the socket is ready: opens FILE in place if that is how it is written. 0, or EXIT_RUNTIME (printed). */
int out_file_ready(struct out_file *o);

/*
 * The end. rc 0 and whole (a transfer took place, and all of it arrived):
 * FILE is replaced, at once (rename(2)). Otherwise an existing FILE is left
 * as it was and what arrived is dropped; a FILE that was not there gets what
 * arrived, unless nothing took place (whole < 0). Says which on standard
 * error. Returns rc, or EXIT_RUNTIME when the rename failed (printed).
 */
int out_file_close(struct out_file *o, int rc, int whole);

#endif
