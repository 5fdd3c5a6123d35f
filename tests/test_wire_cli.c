/* test_wire_cli.c - socklab wire's command line: every mistake is one line and exit 2, every failure one line and exit 1. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>

#include "test_wire.h"

struct bad {
	const char *argv[8];
	int status;
	const char *says;
};

static const struct bad bads[] = {
	{ { "wire" }, 2, "missing TRANSPORT or ENDPOINT" },
	{ { "wire", "tcp", "udp" }, 2, "too many arguments ('udp')" },
	{ { "wire", "tpc" }, 2, "'tpc' is neither a transport nor an endpoint" },
	{ { "wire", "tpc://127.0.0.1:7" }, 2, "unknown scheme 'tpc'" },
	{ { "wire", "--scenario", "nope", "tcp" }, 2, "no scenario named 'nope'" },
	{ { "wire", "--format", "xml", "tcp" }, 2, "--format takes ladder, mermaid or json, not 'xml'" },
	{ { "wire", "--loss", "101", "tcp" }, 2, "--loss takes a whole percentage from 0 to 100, not '101'" },
	{ { "wire", "--loss", "-1", "tcp" }, 2, "not '-1'" },
	{ { "wire", "--loss", "1.5", "tcp" }, 2, "not '1.5'" },
	{ { "wire", "--seed", "x", "tcp" }, 2, "--seed takes a whole number from 0 to 4294967295, not 'x'" },
	{ { "wire", "--seed", "4294967296", "tcp" }, 2, "not '4294967296'" },
	{ { "wire", "--pcap" }, 2, "option '--pcap' needs a value" },
	{ { "wire", "--explain=yes", "tcp" }, 2, "option '--explain' takes no value" },
	{ { "wire", "--scenario", "half-close", "udp" }, 2, "--scenario half-close needs a connection, and udp has none" },
	{ { "wire", "--scenario", "loss", "unix" }, 2, "a unix socket never leaves the kernel" },
	{ { "wire", "--loss", "5", "unixgram" }, 2, "--loss needs a network" },
	{ { "wire", "--pcap", "x.pcap", "unixpacket" }, 2, "--pcap needs a network" },
	{ { "wire", "--scenario", "refused", "tcp://127.0.0.1:0" }, 2, "port 0" },
	{ { "wire", "tcp://127.0.0.1:99999" }, 2, "out of range" },
	/* At run time: the namespace has nothing but lo. */
	{ { "wire", "tcp://192.0.2.1:7" }, 1, "the namespace has only lo: 127.0.0.1 or [::1]" },
};

ParameterizedTestParameters(wire_cli, one_line_and_the_exit_code)
{
	static size_t idx[sizeof bads / sizeof bads[0]];
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, sizeof bads / sizeof bads[0]);
}

ParameterizedTest(size_t *i, wire_cli, one_line_and_the_exit_code)
{
	const struct bad *b = &bads[*i];
	const char *argv[10] = { "socklab" };
	struct run_result r;

	for (size_t k = 0; b->argv[k]; k++)
		argv[k + 1] = b->argv[k];
	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	if (b->status == 1 && strstr(r.err, "enter a private network namespace"))
		cr_skip_test("no private network namespace here: %s", r.err);
	char *nl = strchr(r.err, '\n');
	cr_expect_eq(r.status, b->status, "%s: exit %d, stderr: %s", b->says, r.status, r.err);
	cr_expect(nl && nl[1] == '\0' && strncmp(r.err, "socklab: wire: ", 15) == 0, "not one line: %s", r.err);
	cr_expect(strstr(r.err, b->says), "does not say '%s': %s", b->says, r.err);
	cr_expect_eq(r.outlen, 0, "printed: %s", r.out);
	test_run_free(&r);
}

Test(wire_cli, help_lists_every_scenario)
{
	struct run_result r;
	const char *argv[] = { "socklab", "wire", "--help", NULL };

	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 0);
	const char *names[] = { "echo", "handshake", "refused", "half-close", "no-server", "loss" };
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		char line[32];
		snprintf(line, sizeof line, "\n  %-12s ", names[k]);
		cr_expect(strstr(r.out, line), "--help does not list %s:\n%s", names[k], r.out);
	}
	test_run_free(&r);
}

/* Output that cannot be written is a failure, said once, not a silent loss. */
Test(wire_cli, a_full_standard_output_is_an_error)
{
	const char *formats[] = { "ladder", "json", "mermaid" };

	for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
		char line[256];
		struct run_result r;
		snprintf(line, sizeof line, "exec \"%s\" wire --format %s udp > /dev/full", test_socklab(), formats[k]);
		const char *argv[] = { "/bin/sh", "-c", line, NULL };
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		if (r.status == 1 && strstr(r.err, "enter a private network namespace"))
			cr_skip_test("no private network namespace here: %s", r.err);
		cr_expect_eq(r.status, 1, "%s: exit %d", formats[k], r.status);
		cr_expect(strstr(r.err, "socklab: wire: write standard output: no space left on device\n"), "%s: %s",
			  formats[k], r.err);
		test_run_free(&r);
	}
}

Test(wire_cli, unix_with_a_full_standard_output_is_an_error)
{
	struct run_result r;
	char line[256];

	snprintf(line, sizeof line, "exec \"%s\" wire unix > /dev/full", test_socklab());
	const char *argv[] = { "/bin/sh", "-c", line, NULL };
	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 1, "exit %d", r.status);
	cr_expect(strstr(r.err, "write standard output: no space left on device"), "%s", r.err);
	test_run_free(&r);
}

/* Closed standard descriptors: no socket may take their numbers (a printf must never become a frame on lo). */
Test(wire_cli, closed_standard_descriptors)
{
	struct run_result r;
	char line[256];

	snprintf(line, sizeof line, "exec \"%s\" wire udp >&-", test_socklab());
	const char *closed_out[] = { "/bin/sh", "-c", line, NULL };
	cr_assert(test_run(closed_out, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 1, "exit %d", r.status);
	cr_expect(strstr(r.err, "socklab: wire: write standard output: bad file descriptor\n"), "%s", r.err);
	test_run_free(&r);
	snprintf(line, sizeof line, "exec \"%s\" wire udp <&- 2>&-", test_socklab());
	const char *closed_in_err[] = { "/bin/sh", "-c", line, NULL };
	cr_assert(test_run(closed_in_err, NULL, 0, &r) == 0);
	if (r.status == 1)
		cr_skip_test("no private network namespace here (its reason went to the closed stderr)");
	cr_expect_eq(r.status, 0, "exit %d", r.status);
	cr_expect(strstr(r.out, "scenario echo, 2 packets\n") && strstr(r.out, "client: 1 of 1 echo came back"), "%s", r.out);
	test_run_free(&r);
}
