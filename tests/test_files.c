/* test_files.c - what a server may never remove or follow at its socket path, and the one file it removes. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/robust.h"

/* What may be in the way at the server's path: each is left exactly as it was. */
enum obstacle { REGULAR, DIRECTORY, SYMLINK_TO_FILE, DANGLING_SYMLINK, SYMLINK_TO_DIR, NOBSTACLES };

static void put_obstacle(enum obstacle o, const char *dir, const char *path)
{
	char target[160];

	snprintf(target, sizeof target, "%s/%s", dir, o == SYMLINK_TO_DIR ? "adir" : "target");
	if (o == SYMLINK_TO_FILE || o == REGULAR) {
		FILE *f = fopen(o == REGULAR ? path : target, "w");
		cr_assert(f && fputs("precious\n", f) >= 0 && fclose(f) == 0);
	}
	if (o == DIRECTORY)
		cr_assert(mkdir(path, 0755) == 0);
	if (o == SYMLINK_TO_DIR)
		cr_assert(mkdir(target, 0755) == 0);
	if (o == SYMLINK_TO_FILE || o == DANGLING_SYMLINK || o == SYMLINK_TO_DIR)
		cr_assert(symlink(target, path) == 0);
}

static void check_obstacle(enum obstacle o, const char *dir, const char *path, const char *scheme)
{
	static const char *const what[] = { "regular file", "directory", "symlink to a file", "dangling symlink",
					    "symlink to a directory" };
	char target[160], buf[64] = "";
	mode_t m = file_mode(path);

	snprintf(target, sizeof target, "%s/%s", dir, o == SYMLINK_TO_DIR ? "adir" : "target");
	if (o == REGULAR || o == SYMLINK_TO_FILE) {
		FILE *f = fopen(path, "r");
		cr_expect(f && fgets(buf, sizeof buf, f) && strcmp(buf, "precious\n") == 0, "%s, %s: content changed",
			  scheme, what[o]);
		if (f)
			fclose(f);
	}
	cr_expect(o == REGULAR ? S_ISREG(m) : o == DIRECTORY ? S_ISDIR(m) : S_ISLNK(m), "%s, %s: replaced or removed",
		  scheme, what[o]);
	char inside[200];
	snprintf(inside, sizeof inside, "%s/adir/s.sock", dir);
	cr_expect_eq(file_mode(o == DANGLING_SYMLINK ? target : inside), 0, "%s, %s: followed it", scheme, what[o]);
	if (o == SYMLINK_TO_FILE)
		cr_expect(S_ISREG(file_mode(target)), "%s: the symlink's target changed", scheme);
}

ParameterizedTestParameters(files, never_removes_or_follows_what_is_in_the_way)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

ParameterizedTest(size_t *i, files, never_removes_or_follows_what_is_in_the_way)
{
	const struct transport *t = transport_registry[*i];

	for (enum obstacle o = 0; o < NOBSTACLES; o++) {
		char dir[64], path[128], ep[160];
		struct run_result r;
		test_tmpdir(dir, sizeof dir);
		snprintf(path, sizeof path, "%s/s.sock", dir);
		snprintf(ep, sizeof ep, "%s:%s", t->scheme, path);
		put_obstacle(o, dir, path);
		const char *argv[] = { "socklab", "echo-server", "--mode", "666", ep, NULL };
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		cr_expect_eq(r.status, 1, "%s, obstacle %d: exit %d: %s", t->scheme, (int)o, r.status, r.err);
		cr_expect(strstr(r.err, "not a socket") && strstr(r.err, "never deletes"), "%s: %s", t->scheme, r.err);
		check_obstacle(o, dir, path, t->scheme);
		test_run_free(&r);
		test_rmdir(dir);
	}
}

/* The signals a server stops on; after each it removes its own file, and only its own. */
static const int stop_signals[] = { SIGTERM, SIGINT };

ParameterizedTestParameters(files, removes_only_its_own_file_after_a_signal)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

ParameterizedTest(size_t *i, files, removes_only_its_own_file_after_a_signal)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], path[128], other[160];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(other, sizeof other, "%s/other", dir);
	for (size_t k = 0; k < 2; k++) {
		struct test_server srv;
		int sig = stop_signals[k];
		/* Its own file, left alone: removed. */
		cr_assert(start_unix_echo(&srv, t, dir, 0022, NULL) == 0);
		cr_expect_eq(test_server_stop(&srv, sig), 0, "%s: %s: exit status", t->scheme, strsignal(sig));
		cr_expect_eq(file_mode(path), 0, "%s: %s: its socket file is still there", t->scheme, strsignal(sig));
		/* A file that took its place while it ran: kept. */
		cr_assert(start_unix_echo(&srv, t, dir, 0022, NULL) == 0);
		FILE *f = fopen(other, "w");
		cr_assert(f && fputs("precious\n", f) >= 0 && fclose(f) == 0);
		cr_assert(rename(other, path) == 0);
		cr_expect_eq(test_server_stop(&srv, sig), 0, "%s: %s: exit status", t->scheme, strsignal(sig));
		cr_expect(S_ISREG(file_mode(path)), "%s: %s: removed a file it did not create", t->scheme, strsignal(sig));
		unlink(path);
	}
	test_rmdir(dir);
}
