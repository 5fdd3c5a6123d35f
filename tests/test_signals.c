/* test_signals.c - the stop signals: handled once, never after teardown, SIGHUP like SIGTERM, nothing left behind. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/cli.h"
#include "tests/support/robust.h"

TestSuite(signals, .timeout = 60);

static volatile sig_atomic_t calls;

static void count(void *ctx)
{
	(void)ctx;
	calls++;
}

/* How many of the stop signals wait, blocked, for this process. */
static int pending_stops(void)
{
	sigset_t set;
	int n = 0;

	sigpending(&set);
	n += sigismember(&set, SIGINT) == 1;
	n += sigismember(&set, SIGTERM) == 1;
	n += sigismember(&set, SIGHUP) == 1;
	return n;
}

/*
 * In this process: a stop signal calls the function once; after
 * cli_on_stop_end() it never does (what the server frees is no longer
 * reachable), it waits instead, and the handlers of before are back.
 */
Test(signals, no_handler_after_teardown)
{
	struct sigaction before, now;

	sigaction(SIGTERM, NULL, &before);
	cr_assert_eq(cli_on_stop(count, NULL), 0);
	raise(SIGTERM);
	raise(SIGHUP);
	raise(SIGINT);
	cr_expect_eq(calls, 3);
	cli_on_stop_end();
	raise(SIGTERM);
	raise(SIGTERM); /* as timeout(1) does: the child, then its group */
	raise(SIGHUP);
	cr_expect_eq(calls, 3, "a handler ran after the teardown");
	cr_expect_eq(pending_stops(), 2, "SIGTERM and SIGHUP wait, blocked");
	sigaction(SIGTERM, NULL, &now);
	cr_expect(now.sa_handler == before.sa_handler, "the handler of before is not back");
	signal(SIGTERM, SIG_IGN); /* let them go without ending the test */
	signal(SIGHUP, SIG_IGN);
	cli_release_signals();
	cr_expect_eq(pending_stops(), 0);
}

/* A signal while held is not lost: it is handled once the handler is in place. */
Test(signals, held_until_the_handler_is_in_place)
{
	calls = 0;
	cli_hold_signals();
	raise(SIGHUP);
	cr_expect_eq(calls, 0);
	cr_assert_eq(cli_on_stop(count, NULL), 0);
	cr_expect_eq(calls, 1);
	cli_on_stop_end();
}

/* The servers, told to stop twice in a row (as timeout(1) does) or by SIGHUP: exit 0, socket file removed. */
static const char *const servers[] = { "echo-server", "chat-server", "recv" };

ParameterizedTestParameters(signals, servers_stop_twice_and_on_hup)
{
	return cr_make_param_array(size_t, unix_transport_indexes(), unix_transport_count());
}

ParameterizedTest(size_t *i, signals, servers_stop_twice_and_on_hup)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200], path[160];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(ep, sizeof ep, "%s:%s", t->scheme, path);
	for (size_t k = 0; k < sizeof servers / sizeof servers[0]; k++)
		for (int round = 0; round < 10; round++) {
			struct test_server srv;
			/* recv's FILE: its "listening on" line then comes on standard output, as the servers' does. */
			const char *argv[] = { "socklab", servers[k], ep, strcmp(servers[k], "recv") == 0 ? "/dev/null" : NULL, NULL };
			cr_assert_eq(test_server_start(&srv, argv), 0, "%s %s", servers[k], ep);
			int sig = round < 5 ? SIGTERM : SIGHUP;
			kill(srv.pid, sig);
			int rc = test_server_stop(&srv, sig);
			cr_expect(rc == 0, "%s %s, %s twice: exit %d: %s",
				  servers[k], t->scheme, strsignal(sig), rc, srv.errtext);
			cr_expect_eq(file_mode(path), 0, "%s %s, %s: its socket file is left", servers[k], t->scheme,
				     strsignal(sig));
			cr_expect_eq(strstr(srv.errtext, "ERROR: AddressSanitizer"), NULL, "%s", srv.errtext);
		}
	test_rmdir(dir);
}

/* contrast makes a directory of its own in /tmp: SIGHUP half-way, and it is gone. */
Test(signals, contrast_removes_its_directory_on_hup)
{
	struct test_peer p;
	char line[512], dir[256];
	struct stat st;

	const char *argv[] = { test_socklab(), "--trace", "contrast", "--transports", "unix", NULL };
	cr_assert_eq(test_peer_start(&p, argv), 0);
	/* Its first bind names the directory: "trace: bind(3, /tmp/socklab-contrast.XXXXXX/...) = 0". */
	cr_assert_eq(test_peer_wait_line(&p, 2, "/tmp/socklab-contrast.", line, sizeof line), 0, "%s", p.errbuf);
	const char *at = strstr(line, "/tmp/socklab-contrast.");
	snprintf(dir, sizeof dir, "%.*s", 22 + (int)strcspn(at + 22, "/"), at); /* up to the file's name */
	cr_assert(stat(dir, &st) == 0, "%s", dir);
	int rc = test_peer_stop(&p, SIGHUP);
	cr_expect_eq(rc, 1, "contrast: exit %d", rc);
	cr_expect(stat(dir, &st) < 0, "%s is left", dir);
	test_peer_free(&p);
}
