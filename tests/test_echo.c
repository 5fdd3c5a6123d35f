/* test_echo.c - one round-trip test body, run over every transport in the registry. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <string.h>

#include "helpers.h"

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
