/* test_wire.h - what the socklab wire tests share: running it (or skipping where the kernel refuses), normalising its ladder. */
#ifndef SOCKLAB_TEST_WIRE_H
#define SOCKLAB_TEST_WIRE_H

#include <stddef.h>
#include <string.h>

#include "tests/support/helpers.h"

/*
 * Runs argv (argv[0] "socklab") into *r. When the kernel refuses a private
 * network namespace (a container, AppArmor...), the test is skipped with
 * socklab's own one-line reason: that is not a failure of socklab's.
 */
#define WIRE_RUN(r, ...)                                                                                         \
	do {                                                                                                     \
		const char *argv_[] = { "socklab", __VA_ARGS__, NULL };                                              \
		cr_assert(test_run(argv_, NULL, 0, (r)) == 0, "could not run socklab");                           \
		if ((r)->status == 1 && strstr((r)->err, "enter a private network namespace"))                      \
			cr_skip_test("no private network namespace here: %s", (r)->err);                             \
	} while (0)

/*
 * The ladder with what varies from run to run made constant: each time
 * "T", the client's port "CPORT", windows "win=W" and "WS=S" (they follow
 * the host's memory), "as root" or "unprivileged" as "WHO", runs of
 * dashes as "--" and of blanks as one. Writes at most len bytes to out.
 */
void wire_normalise(const char *in, char *out, size_t len);

/* Joins the wrapped lines of each --explain point ("\n  " + text) into one line, in place. */
void wire_unwrap(char *text);

/* The number after "key" in text (the first match), or -1. */
long long wire_number_after(const char *text, const char *key);

#endif
