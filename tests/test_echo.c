/* test_echo.c - one round-trip test body, run over every transport in the registry. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/helpers.h"

TestSuite(echo, .timeout = 60);

ParameterizedTestParameters(echo, cli_roundtrip)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, echo, cli_roundtrip)
{
	const struct transport *t = transport_registry[*i];
	char dir[64];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, t, dir) == 0, "%s: echo-server did not start", t->scheme);
	const char *argv[] = { "socklab", "echo-client", srv.endpoint, "hello", "world", NULL };
	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 0, "%s: exit %d, stderr: %s", t->scheme, r.status, r.err);
	cr_expect_str_eq(r.out, "hello\nworld\n", "%s", t->scheme);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(echo, cli_stdin_lines)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * With no MESSAGE, each line of standard input is one: CRLF endings are
 * stripped, an empty line is an empty message (and comes back as one), and
 * many lines come back in order.
 */
ParameterizedTest(size_t *i, echo, cli_stdin_lines)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], in[8192], out[8192];
	size_t ni = 0, no = 0;
	struct test_server srv;
	struct run_result r;

	ni += (size_t)snprintf(in + ni, sizeof in - ni, "crlf\r\n\n\nafter two empty lines\n");
	no += (size_t)snprintf(out + no, sizeof out - no, "crlf\n\n\nafter two empty lines\n");
	for (int k = 0; k < 200; k++) {
		ni += (size_t)snprintf(in + ni, sizeof in - ni, "line %d\n", k);
		no += (size_t)snprintf(out + no, sizeof out - no, "line %d\n", k);
	}
	ni += (size_t)snprintf(in + ni, sizeof in - ni, "no newline at the end");
	no += (size_t)snprintf(out + no, sizeof out - no, "no newline at the end\n");
	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, t, dir) == 0, "%s: echo-server did not start", t->scheme);
	const char *argv[] = { "socklab", "echo-client", srv.endpoint, NULL };
	cr_assert(test_run(argv, in, ni, &r) == 0);
	cr_expect_eq(r.status, 0, "%s: exit %d, stderr: %s", t->scheme, r.status, r.err);
	cr_expect_str_eq(r.out, out, "%s", t->scheme);
	test_run_free(&r);
	const char *empty[] = { "socklab", "echo-client", srv.endpoint, "", "x", "", NULL };
	cr_assert(test_run(empty, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 0, "%s: empty messages: exit %d, stderr: %s", t->scheme, r.status, r.err);
	cr_expect_str_eq(r.out, "\nx\n\n", "%s", t->scheme);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(echo, cli_addresses)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Other ways to name the same server: IPv6, host names, the wildcard; unix:///abs, relative paths, @names. */
ParameterizedTest(size_t *i, echo, cli_addresses)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], server[4][192], client[4][192], name[96];
	struct test_server srv;
	struct run_result r;
	int n = 0;

	test_tmpdir(dir, sizeof dir);
	if (transport_has_socket_file(t)) {
		test_abstract_name("echo", name, sizeof name);
		snprintf(server[n], 192, "%s:%s/a.sock", t->scheme, dir);
		snprintf(client[n++], 192, "%s://%s/a.sock", t->scheme, dir);
		snprintf(server[n], 192, "%s:@%s", t->scheme, name), snprintf(client[n++], 192, "%s:@%s", t->scheme, name);
	} else {
		snprintf(server[n], 192, "%s://[::1]:0", t->scheme), snprintf(client[n++], 192, "[::1]");
		snprintf(server[n], 192, "%s://localhost:0", t->scheme), snprintf(client[n++], 192, "localhost");
		snprintf(server[n], 192, "%s://:0", t->scheme), snprintf(client[n++], 192, "127.0.0.1");
		snprintf(server[n], 192, "%s://:0", t->scheme), snprintf(client[n++], 192, "[::1]");
	}
	for (int k = 0; k < n; k++) {
		const char *sv[] = { "socklab", "echo-server", "--quiet", server[k], NULL };
		cr_assert(test_server_start(&srv, sv) == 0, "%s: echo-server did not start", server[k]);
		char ep[256];
		if (transport_has_socket_file(t))
			snprintf(ep, sizeof ep, "%.191s", client[k]);
		else /* the port the kernel chose, on the host this case names */
			snprintf(ep, sizeof ep, "%s://%.191s:%.5s", t->scheme, client[k], strrchr(srv.endpoint, ':') + 1);
		const char *argv[] = { "socklab", "echo-client", ep, "hello", NULL };
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		cr_expect_eq(r.status, 0, "%s (server %s): exit %d, stderr: %s", ep, srv.endpoint, r.status, r.err);
		cr_expect_str_eq(r.out, "hello\n", "%s", ep);
		test_run_free(&r);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	}
	/* A relative path is relative to each program's own directory: here both run in the test's. */
	if (transport_has_socket_file(t)) {
		char rel[64];
		snprintf(rel, sizeof rel, "%s:rel.sock", t->scheme);
		const char *sv[] = { "sh", "-c", "cd \"$1\" && exec \"$0\" echo-server --quiet \"$2\"",
				     test_socklab(), dir, rel, NULL };
		const char *cl[] = { "sh", "-c", "cd \"$1\" && exec \"$0\" echo-client \"$2\" relative",
				     test_socklab(), dir, rel, NULL };
		cr_assert(test_server_start(&srv, sv) == 0, "%s did not start", rel);
		cr_expect_str_eq(srv.endpoint, rel);
		cr_assert(test_run(cl, NULL, 0, &r) == 0);
		cr_expect_str_eq(r.out, "relative\n", "%s: %s", rel, r.err);
		test_run_free(&r);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	}
	test_rmdir(dir);
}
