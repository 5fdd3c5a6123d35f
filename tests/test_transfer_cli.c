/* test_transfer_cli.c - socklab send and recv as commands: progress only on a terminal, SIGTERM, usage errors. */
#define _XOPEN_SOURCE 700 /* posix_openpt(), grantpt(), unlockpt(), ptsname(): a terminal for the progress test */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/helpers_transfer.h"

/* On a terminal, a progress line redrawn with "\r"; elsewhere, only the report. */
Test(transfer_cli, progress_only_on_a_terminal)
{
	char dir[64], in[128], pts[64], buf[4096], text[16384] = "";
	struct test_server srv;
	struct run_result r;
	size_t len = 0;

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	test_make_file(in, 2 * 1000 * 1000, 5);
	test_start_recv(&srv, transport_find("tcp", 3), dir, "/dev/null");
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 && ptsname(master));
	snprintf(pts, sizeof pts, "%s", ptsname(master));
	pid_t pid = fork();
	if (pid == 0) {
		int tty = open(pts, O_RDWR | O_NOCTTY), null = open("/dev/null", O_RDWR), file = open(in, O_RDONLY);
		dup2(file, 0), dup2(null, 1), dup2(tty, 2);
		execl(test_socklab(), "socklab", "send", srv.endpoint, (char *)NULL);
		_exit(127);
	}
	for (;;) { /* until the child closes the terminal: read() then fails with EIO */
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, TEST_WAIT_S * 1000) <= 0)
			break;
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			break;
		if (len + (size_t)n < sizeof text - 1)
			memcpy(text + len, buf, (size_t)n), len += (size_t)n, text[len] = '\0';
	}
	int st;
	waitpid(pid, &st, 0);
	close(master);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", text);
	cr_expect(strstr(text, "\rsend: 2000000 bytes, "), "no progress line on the terminal: %s", text);
	cr_expect(strstr(text, "send: cksum "), "%s", text);
	cr_expect_eq(test_server_stop(&srv, 0), 0);

	test_start_recv(&srv, transport_find("tcp", 3), dir, "/dev/null");
	const char *argv[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0);
	cr_expect(!strchr(r.err, '\r'), "progress went to a pipe: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	test_rmdir(dir);
}

/* A waiting recv stops cleanly on SIGTERM: exit 0, and its socket file is gone. */
Test(transfer_cli, recv_stops_on_sigterm)
{
	char dir[64], ep[160], path[128];
	struct test_server srv;
	struct stat st;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/recv.sock", dir);
	snprintf(ep, sizeof ep, "unix:%s", path);
	const char *rx[] = { "socklab", "recv", ep, "/dev/null", NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	cr_expect_eq(lstat(path, &st), 0);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	cr_expect(lstat(path, &st) < 0 && errno == ENOENT, "the socket file is still there");
	test_rmdir(dir);
}

Test(transfer_cli, usage_errors)
{
	static const struct {
		const char *argv[8];
		int status;
		const char *err;
	} cases[] = {
		{ { "socklab", "send", NULL }, 2, "socklab: send: missing ENDPOINT (see 'socklab send --help')\n" },
		{ { "socklab", "recv", NULL }, 2, "socklab: recv: missing ENDPOINT (see 'socklab recv --help')\n" },
		{ { "socklab", "send", "--size", "0", "udp://127.0.0.1:9", NULL }, 2, "socklab: send: --size takes 1 to 65000" },
		{ { "socklab", "send", "--rate", "fast", "udp://127.0.0.1:9", NULL }, 2, "socklab: send: --rate takes" },
		{ { "socklab", "recv", "--slow", "-1", "udp://127.0.0.1:0", NULL }, 2, "socklab: recv: --slow takes" },
		{ { "socklab", "send", "tcp://127.0.0.1:9", "/nonexistent/file", NULL }, 1,
		  "socklab: send: open /nonexistent/file: no such file or directory" },
		{ { "socklab", "recv", "tcp://127.0.0.1:0", "/nonexistent/dir/file", NULL }, 1,
		  "socklab: recv: open /nonexistent/dir/file: no such file or directory" },
		{ { "socklab", "send", "tcp://127.0.0.1:1", "/dev/null", NULL }, 1, "connection refused (is a server listening?)" },
		{ { "socklab", "send", "--timeout", "0.3", "udp://127.0.0.1:9", "/dev/null", NULL }, 1,
		  "socklab: send: the acknowledgement from udp://127.0.0.1:9: no reply within the timeout" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run_result r;
		cr_assert_eq(test_run(cases[i].argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, cases[i].status, "case %zu: %s", i, r.err);
		cr_expect(strstr(r.err, cases[i].err), "case %zu: %s", i, r.err);
		cr_expect(strchr(r.err, '\n') == strrchr(r.err, '\n') || strstr(r.err, "send: cksum"), "case %zu: one line: %s", i,
			  r.err);
		test_run_free(&r);
	}
}
