/* test_fdpass.c - socklab fdpass, creds and socketpair over every transport: unix sockets do it, tcp and udp say they cannot. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

ParameterizedTestParameters(fdpass, over_every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* The number after needle in text, or -1. */
static long number_after(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	return p ? strtol(p + strlen(needle), NULL, 10) : -1;
}

/* Entries left in dir: the socket files a command should have removed. */
static int left_in(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

ParameterizedTest(size_t *i, fdpass, over_every_transport, .timeout = 30)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[256];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "fd", ep, sizeof ep);
	const char *argv[] = { "socklab", "fdpass", ep, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	if (transport_in_user_space(t)) { /* socklab's own protocol: refused, and why, before any socket */
		cr_expect_eq(r.status, 2, "%s: %s%s", t->scheme, r.out, r.err);
		cr_expect(strstr(r.err, "descriptors travel only over unix sockets"), "%s: %s", t->scheme, r.err);
		test_run_free(&r);
		test_rmdir(dir);
		return;
	}
	cr_expect(strstr(r.out, "sendmsg(1 byte, SCM_RIGHTS ["), "%s: %s", t->scheme, r.out);
	if (transport_has_socket_file(t)) {
		cr_expect_eq(r.status, 0, "%s: %s%s", t->scheme, r.out, r.err);
		const char *read_line = strstr(r.out, "receiver (pid ") ? strstr(r.out, ": read(") : NULL;
		long n = read_line ? number_after(read_line, ") = ") : -1;
		cr_expect_gt(n, 0, "%s: the receiver read nothing: %s", t->scheme, r.out);
		cr_expect_eq(number_after(r.out, " is at offset "), n, "%s: not one shared open file: %s", t->scheme, r.out);
		cr_expect(strstr(r.out, "close-on-exec"), "%s", r.out);
		cr_expect_str_empty(r.err, "%s", r.err);
	} else {
		cr_expect_eq(r.status, 1, "%s: %s", t->scheme, r.out);
		cr_expect(strstr(r.out, "and no descriptor came with it"), "%s: %s", t->scheme, r.out);
		cr_expect(strstr(r.err, "carried the byte but not the descriptor"), "%s: %s", t->scheme, r.err);
		cr_expect_eq(strchr(r.err, '\n'), r.err + r.errlen - 1, "one line: %s", r.err);
	}
	cr_expect_eq(left_in(dir), 0, "%s: a socket file was left behind", t->scheme);
	test_run_free(&r);
	test_rmdir(dir);
}

/* A file the user names: the receiver reads its first line; one that does not exist is an error, at once. */
Test(fdpass, a_named_file_and_bad_input)
{
	char dir[64], ep[128], file[128];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(ep, sizeof ep, "unixpacket:%s/p.sock", dir);
	snprintf(file, sizeof file, "%s/note", dir);
	FILE *f = fopen(file, "w");
	cr_assert(f);
	fputs("first line\nsecond\n", f);
	fclose(f);
	const char *named[] = { "socklab", "fdpass", ep, file, NULL };
	cr_assert_eq(test_run(named, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "= 18 bytes through it: \"first line\" ..."), "%s", r.out);
	test_run_free(&r);
	const char *missing[] = { "socklab", "fdpass", ep, "/nonexistent/file", NULL };
	cr_assert_eq(test_run(missing, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "socklab: fdpass: open /nonexistent/file: no such file"), "%s", r.err);
	test_run_free(&r);
	const char *none[] = { "socklab", "fdpass", NULL };
	cr_assert_eq(test_run(none, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	test_run_free(&r);
	const char *impaired[] = { "socklab", "fdpass", "udp://127.0.0.1:0?drop=1", NULL };
	cr_assert_eq(test_run(impaired, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "'?drop=1': the impairment options do not apply"), "%s", r.err);
	test_run_free(&r);
	const char *extra[] = { "socklab", "fdpass", ep, file, "more", NULL };
	cr_assert_eq(test_run(extra, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	test_run_free(&r);
	test_rmdir(dir);
}

ParameterizedTestParameters(creds, over_every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Who connected, who sent: the client that connected has exited; its child sent, and the kernel says which. */
ParameterizedTest(size_t *i, creds, over_every_transport, .timeout = 30)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[256];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "cr", ep, sizeof ep);
	const char *argv[] = { "socklab", "creds", ep, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	if (transport_in_user_space(t)) { /* socklab's own protocol: refused, and why, before any socket */
		cr_expect_eq(r.status, 2, "%s: %s%s", t->scheme, r.out, r.err);
		cr_expect(strstr(r.err, "only a unix socket says who the peer process is"), "%s: %s", t->scheme, r.err);
		test_run_free(&r);
		test_rmdir(dir);
		return;
	}
	long client = number_after(r.out, "client (pid "), child = number_after(r.out, "its child (pid ");
	cr_assert_gt(client, 0, "%s: %s%s", t->scheme, r.out, r.err);
	cr_assert_gt(child, 0, "%s", r.out);
	int connected = transport_is_connected(t);
	if (transport_has_socket_file(t)) {
		cr_expect_eq(r.status, 0, "%s: %s%s", t->scheme, r.out, r.err);
		cr_expect_eq(number_after(r.out, "SO_PEERCRED = pid "), connected ? client : 0, "%s: %s", t->scheme, r.out);
		cr_expect_eq(number_after(r.out, "SCM_CREDENTIALS pid "), child, "%s: %s", t->scheme, r.out);
		if (connected)
			cr_expect(strstr(r.out, "readable, so that process has exited"), "%s: %s", t->scheme, r.out);
	} else {
		cr_expect_eq(r.status, 1, "%s: %s", t->scheme, r.out);
		cr_expect_eq(number_after(r.out, "SO_PEERCRED = pid "), 0, "%s", r.out);
		cr_expect(strstr(r.out, "came with no SCM_CREDENTIALS"), "%s", r.out);
		cr_expect(strstr(r.err, "cannot say who the peer is"), "%s", r.err);
	}
	if (!(transport_has_socket_file(t) && connected))
		cr_expect(strstr(r.out, "SO_PEERPIDFD = -1 ENODATA"), "%s: %s", t->scheme, r.out);
	cr_expect_eq(left_in(dir), 0, "%s: a socket file was left behind", t->scheme);
	test_run_free(&r);
	test_rmdir(dir);
}

ParameterizedTestParameters(socketpair, over_every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A pair for every unix type, talked over by parent and child; the kernel refuses inet pairs. */
ParameterizedTest(size_t *i, socketpair, over_every_transport, .timeout = 30)
{
	const struct transport *t = transport_registry[*i];
	struct run_result r;
	const char *argv[] = { "socklab", "socketpair", t->scheme, NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	if (transport_in_user_space(t)) { /* no kernel socket type to ask for: refused before any call */
		cr_expect_eq(r.status, 2, "%s: %s", t->scheme, r.err);
		cr_expect(strstr(r.err, "pairs of unix sockets only"), "%s", r.err);
	} else if (transport_has_socket_file(t)) {
		cr_expect_eq(r.status, 0, "%s: %s%s", t->scheme, r.out, r.err);
		cr_expect(strstr(r.out, "getsockname: (unbound) and (unbound): no name"), "%s", r.out);
		cr_expect(strstr(r.out, ", this process: the kernel records"), "%s", r.out);
		const char *hello = strstr(r.out, "\"hello, child\""), *answer = strstr(r.out, "\"hello, parent\"");
		cr_expect(hello && answer && hello < answer, "%s: %s", t->scheme, r.out);
	} else {
		cr_expect_eq(r.status, 1, "%s", t->scheme);
		cr_expect(strstr(r.out, "= -1 EOPNOTSUPP"), "%s: %s", t->scheme, r.out);
		cr_expect(strstr(r.err, "pairs of unix sockets only"), "%s", r.err);
	}
	test_run_free(&r);
}

/* Output that cannot be written fails the command, in one line, for every command of this lesson. */
Test(fdpass, a_full_standard_output_is_an_error, .timeout = 60)
{
	static const char *const args[] = { /* %s: a directory of this test's own */
		"fdpass unix:%s/f.sock", "creds unixpacket:%s/c.sock", "socketpair unixgram",
		"multicast --host --receivers 1", "pitfalls fds-barrier",
	};
	char dir[64], cmd[256], line[512];

	test_tmpdir(dir, sizeof dir);
	for (size_t k = 0; k < sizeof args / sizeof args[0]; k++) {
		snprintf(cmd, sizeof cmd, args[k], dir);
		snprintf(line, sizeof line, "exec '%s' %s > /dev/full", test_socklab(), cmd);
		const char *argv[] = { "sh", "-c", line, NULL };
		struct run_result r;
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 1, "%s: exit %d", line, r.status);
		cr_expect(strstr(r.err, "write standard output: no space left on device\n"), "%s: %s", line, r.err);
		cr_expect_eq(strchr(r.err, '\n'), r.err + r.errlen - 1, "%s: not one line: %s", line, r.err);
		test_run_free(&r);
	}
	cr_expect_eq(left_in(dir), 0, "a socket file was left behind");
	test_rmdir(dir);
}
