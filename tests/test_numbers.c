/* test_numbers.c - every numeric option: digits only, checked arithmetic, refused at and past its limits. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "demos/cli.h"
#include "tests/support/helpers.h"

TestSuite(numbers, .timeout = 60);

Test(numbers, whole_numbers)
{
	unsigned long long v = 7;

	cr_expect(cli_number("18446744073709551615", 0, ULLONG_MAX, &v) == 0 && v == ULLONG_MAX);
	cr_expect(cli_number("0", 0, 10, &v) == 0 && v == 0);
	cr_expect(cli_number("000010", 0, 10, &v) == 0 && v == 10);
	static const char *const bad[] = { "18446744073709551616", "99999999999999999999999", "", "-1", "+1", " 1", "1 ",
					   "0x10", "1e3", "1.0", "nan", "inf", "11", "1K" };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		v = 7;
		cr_expect_eq(cli_number(bad[k], 0, k == 12 ? 10 : ULLONG_MAX, &v), -1, "'%s' taken", bad[k]);
		cr_expect_eq(v, 7, "'%s' wrote a value", bad[k]);
	}
	cr_expect_eq(cli_number("4", 5, 10, &v), -1, "below lo");
}

Test(numbers, sizes_with_suffixes)
{
	unsigned long long v = 0;

	cr_expect(cli_size("4k", 0, ULLONG_MAX, &v) == 0 && v == 4096);
	cr_expect(cli_size("10M", 0, ULLONG_MAX, &v) == 0 && v == 10485760);
	cr_expect(cli_size("3G", 0, ULLONG_MAX, &v) == 0 && v == 3221225472ULL);
	cr_expect(cli_size("17179869183G", 0, ULLONG_MAX, &v) == 0 && v == 17179869183ULL << 30, "the largest G");
	static const char *const bad[] = {
		"17179869184G",          /* 2^64: one past */
		"18014398509481984K",    /* 2^64 */
		"9223372036854775807K", /* LLONG_MAX K: what strtoll then *= 1024 overflowed, undefined behaviour */
		"18446744073709551616", "99999999999999999999G", "1KK", "1Kb", "1T", "K", "1.5K", "-1K", " 1K", "1e3",
		"0x10K",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		cr_expect_eq(cli_size(bad[k], 0, ULLONG_MAX, &v), -1, "'%s' taken", bad[k]);
	cr_expect_eq(cli_size("1G", 1, 1 << 30, &v), 0);
	cr_expect_eq(cli_size("1025M", 1, 1 << 30, &v), -1, "past hi");
	cr_expect_eq(cli_size("0K", 1, 10, &v), -1, "below lo");
}

Test(numbers, seconds)
{
	static const struct {
		const char *text;
		int ms;
	} cases[] = {
		{ "3", 3000 }, { "0.5", 500 }, { ".5", 500 }, { "3.", 3000 }, { "0", 0 }, { "0.000", 0 }, { "0.0001", 1 },
		{ "1.23456", 1234 }, { "86400", 86400000 }, { "86400.000", 86400000 },
		{ "86400.001", -1 }, { "86401", -1 }, { "99999999999999999999", -1 }, { "nan", -1 }, { "inf", -1 },
		{ "-1", -1 }, { "+1", -1 }, { " 1", -1 }, { "1 ", -1 }, { "1e3", -1 }, { "0x10", -1 }, { ".", -1 },
		{ "", -1 }, { "1..2", -1 }, { "1s", -1 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		cr_expect_eq(cli_seconds(cases[k].text), cases[k].ms, "'%s'", cases[k].text);
}

/* Every numeric option of every command, given what it cannot take: exit 2, one line naming the option, nothing run. */
Test(numbers, every_option_refuses_what_does_not_fit)
{
	static const char *const options[][2] = {
		{ "echo-server", "--idle" },   { "echo-server", "--mode" },   { "chat-server", "--idle" },
		{ "chat-server", "--seed" },   { "chat-server", "--mode" },   { "echo-client", "--timeout" },
		{ "chat-client", "--timeout" }, { "send", "--size" },          { "send", "--rate" },
		{ "send", "--timeout" },       { "recv", "--timeout" },       { "recv", "--rcvbuf" },
		{ "recv", "--slow" },          { "recv", "--mode" },          { "load", "--clients" },
		{ "load", "--messages" },      { "load", "--size" },          { "load", "--window" },
		{ "load", "--seed" },          { "load", "--timeout" },       { "bench", "--seconds" },
	};
	static const char *const values[] = { "nan", "inf", "-1", "+1", " 1", "1e3", "0x10", "",
					      "18446744073709551616", "99999999999999999999G", "9223372036854775807K" };
	/* Where the command would go if it took the value: a path that cannot exist, so it could not linger. */
	const char *where = "unix:/nonexistent-socklab-dir/x.sock";

	for (size_t o = 0; o < sizeof options / sizeof options[0]; o++)
		for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
			const char *argv[] = { "socklab", options[o][0], options[o][1], values[k], where, NULL };
			struct run_result r;
			char head[64];
			if (strcmp(options[o][0], "bench") == 0)
				argv[4] = NULL;
			cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
			snprintf(head, sizeof head, "socklab: %s: ", options[o][0]);
			cr_expect_eq(r.status, 2, "%s %s '%s': exit %d: %s", options[o][0], options[o][1], values[k], r.status,
				     r.err);
			cr_expect(strncmp(r.err, head, strlen(head)) == 0 && strchr(r.err, '\n') == r.err + r.errlen - 1,
				  "%s %s '%s': %s", options[o][0], options[o][1], values[k], r.err);
			cr_expect(strstr(r.err, options[o][1]), "%s %s '%s': %s", options[o][0], options[o][1], values[k],
				  r.err);
			test_run_free(&r);
		}
}

/* A timeout of 0 would mean "for ever" to SO_RCVTIMEO: every --timeout and --idle refuses it, and says so in --help. */
Test(numbers, zero_timeouts_are_refused)
{
	static const char *const options[][2] = {
		{ "echo-client", "--timeout" }, { "chat-client", "--timeout" }, { "send", "--timeout" },
		{ "recv", "--timeout" },        { "load", "--timeout" },        { "echo-server", "--idle" },
		{ "chat-server", "--idle" },
	};
	static const char *const zeros[] = { "0", "0.0", ".000", "0.0000" };

	for (size_t o = 0; o < sizeof options / sizeof options[0]; o++) {
		for (size_t k = 0; k < sizeof zeros / sizeof zeros[0]; k++) {
			const char *argv[] = { "socklab", options[o][0], options[o][1], zeros[k], "unix:/nonexistent/x", NULL };
			struct run_result r;
			cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
			cr_expect_eq(r.status, 2, "%s %s %s: exit %d: %s", options[o][0], options[o][1], zeros[k], r.status, r.err);
			cr_expect(strstr(r.err, "more than 0"), "%s: %s", options[o][0], r.err);
			test_run_free(&r);
		}
		const char *help[] = { "socklab", options[o][0], "--help", NULL };
		struct run_result r;
		cr_assert_eq(test_run(help, NULL, 0, &r), 0);
		cr_expect(strstr(r.out, "more than 0"), "%s --help does not say that 0 is refused", options[o][0]);
		test_run_free(&r);
	}
}
