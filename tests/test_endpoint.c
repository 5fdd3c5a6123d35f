/* test_endpoint.c - endpoint_parse, endpoint_resolve and endpoint_format: every form the issue lists, and bad ones. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "tests/support/helpers.h"

TestSuite(endpoint, .timeout = 60);

enum { C = 1, S = 2, CS = 3 }; /* the roles a form is valid for: client, server, both */

static const struct valid {
	const char *text;
	int roles;
	const char *scheme, *host, *port, *path;
	int abstract;
} valid[] = {
	{ "tcp://127.0.0.1:5555", CS, "tcp", "127.0.0.1", "5555", "", 0 },
	{ "tcp://[::1]:5555", CS, "tcp", "::1", "5555", "", 0 },
	{ "tcp://localhost:5555", CS, "tcp", "localhost", "5555", "", 0 },
	{ "tcp://echo-server.example_net.:7", CS, "tcp", "echo-server.example_net.", "7", "", 0 },
	{ "tcp://[fe80::1%lo]:80", CS, "tcp", "fe80::1%lo", "80", "", 0 },
	{ "tcp://127.0.0.1:1", CS, "tcp", "127.0.0.1", "1", "", 0 },
	{ "tcp://127.0.0.1:65535", CS, "tcp", "127.0.0.1", "65535", "", 0 },
	{ "tcp://127.0.0.1:00080", CS, "tcp", "127.0.0.1", "80", "", 0 },
	{ "tcp://:5555", S, "tcp", "", "5555", "", 0 },
	{ "tcp://127.0.0.1:0", S, "tcp", "127.0.0.1", "0", "", 0 },
	{ "tcp://[::]:0", S, "tcp", "::", "0", "", 0 },
	{ "tcp://:0", S, "tcp", "", "0", "", 0 },
	{ "udp://127.0.0.1:5555", CS, "udp", "127.0.0.1", "5555", "", 0 },
	{ "udp://[::1]:5555", CS, "udp", "::1", "5555", "", 0 },
	{ "udp://localhost:5555", CS, "udp", "localhost", "5555", "", 0 },
	{ "udp://:5555", S, "udp", "", "5555", "", 0 },
	{ "udp://127.0.0.1:0", S, "udp", "127.0.0.1", "0", "", 0 },
#define UNIX_FORMS(sch)                                                                   \
	{ sch ":/tmp/echo.sock", CS, sch, "", "", "/tmp/echo.sock", 0 },                  \
	{ sch ":///tmp/echo.sock", CS, sch, "", "", "/tmp/echo.sock", 0 },                \
	{ sch ":relative.sock", CS, sch, "", "", "relative.sock", 0 },                    \
	{ sch ":sub/dir/echo.sock", CS, sch, "", "", "sub/dir/echo.sock", 0 },            \
	{ sch ":@echo", CS, sch, "", "", "echo", 1 },                                     \
	{ sch ":@with spaces and:colons", CS, sch, "", "", "with spaces and:colons", 1 },
	UNIX_FORMS("unix") UNIX_FORMS("unixgram") UNIX_FORMS("unixpacket")
#undef UNIX_FORMS
};

static const struct invalid {
	const char *text;
	int roles;
	const char *why; /* a part of the message that names what is wrong */
} invalid[] = {
	{ "", CS, "empty endpoint" },
	{ "tpc://127.0.0.1:5555", CS, "unknown scheme 'tpc' (known: tcp, udp, unix, unixgram, unixpacket, rdt)" },
	{ "TCP://127.0.0.1:5555", CS, "unknown scheme 'TCP'" },
	{ "unixstream:/tmp/x", CS, "unknown scheme 'unixstream'" },
	{ "127.0.0.1:5555", CS, "unknown scheme '127.0.0.1'" },
	{ "localhost", CS, "missing scheme in 'localhost'" },
	{ ":5555", CS, "missing scheme before ':'" },
	{ "tcp:127.0.0.1:5555", CS, "expected '//' after 'tcp:'" },
	{ "tcp://", CS, "missing host and port" },
	{ "tcp://127.0.0.1", CS, "missing port: write tcp://127.0.0.1:PORT" },
	{ "tcp://127.0.0.1:", CS, "missing port after ':'" },
	{ "tcp://127.0.0.1:http", CS, "port 'http' is not a number" },
	{ "tcp://127.0.0.1:-1", CS, "port '-1' is not a number" },
	{ "tcp://127.0.0.1:+80", CS, "port '+80' is not a number" },
	{ "tcp://127.0.0.1:0x50", CS, "port '0x50' is not a number" },
	{ "tcp://127.0.0.1: 80", CS, "port ' 80' is not a number" },
	{ "tcp://127.0.0.1:65536", CS, "port 65536 is out of range 1..65535" },
	{ "udp://127.0.0.1:4294967377", CS, "port 4294967377 is out of range 1..65535" }, /* 2^32 + 81 */
	{ "tcp://127.0.0.1:18446744073709551617", CS, "port 18446744073709551617 is out of range" },
	{ "tcp://127.0.0.1:0", C, "port 0 is out of range 1..65535 (only a server may ask for port 0" },
	{ "tcp://:5555", C, "missing host (write tcp://127.0.0.1:PORT" },
	{ "udp://:5555", C, "missing host (write udp://127.0.0.1:PORT" },
	{ "tcp://[::1:5555", CS, "unterminated '[' in host" },
	{ "udp://[::1", CS, "unterminated '['" },
	{ "tcp://[]:5555", CS, "empty IPv6 address between '[' and ']'" },
	{ "tcp://[::1]", CS, "missing port after ']'" },
	{ "tcp://[::1]5555", CS, "expected ':' after ']', found '5'" },
	{ "tcp://::1:5555", CS, "an IPv6 address needs brackets: tcp://[::1]:PORT" },
	{ "tcp://host]:5555", CS, "']' without '['" },
	{ "tcp://bad host:5555", CS, "host 'bad host' has a character a host name cannot have: ' '" },
	{ "tcp://bad/host:5555", CS, "host 'bad/host' has a character a host name cannot have: '/'" },
	{ "tcp://127.0.0.1:5555/echo", CS, "unexpected '/echo' after the port" },
	{ "tcp://127.0.0.1\t:5555", CS, "control character at position 16" },
	{ "unix:/tmp/a\nb.sock", CS, "control character at position 12" },
	{ "udp://127.0.0.1:5555\x7f", CS, "control character at position 21" },
	{ "unix:", CS, "missing path after 'unix:'" },
	{ "unixgram:", CS, "missing path after 'unixgram:'" },
	{ "unix:@", CS, "missing abstract name after '@'" },
	{ "unix://host/tmp/echo.sock", CS, "a unix endpoint has no host" },
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])
static size_t *indexes(size_t n)
{
	static size_t idx[128];
	for (size_t i = 0; i < n && i < COUNT(idx); i++)
		idx[i] = i;
	return idx;
}

ParameterizedTestParameters(endpoint, valid)
{
	return cr_make_param_array(size_t, indexes(COUNT(valid)), COUNT(valid));
}

ParameterizedTest(size_t *i, endpoint, valid)
{
	const struct valid *v = &valid[*i];
	struct endpoint ep;
	char why[256];

	for (int role = ENDPOINT_CLIENT; role <= ENDPOINT_SERVER; role++) {
		int ok = v->roles & (role == ENDPOINT_SERVER ? S : C);
		why[0] = '\0';
		int r = endpoint_parse(v->text, role, &ep, why, sizeof why);
		if (!ok) {
			cr_expect_eq(r, -1, "'%s' must be refused for a client", v->text);
			cr_expect_neq(why[0], '\0', "'%s': refused without a message", v->text);
			continue;
		}
		cr_assert_eq(r, 0, "'%s' (%s): %s", v->text, role == ENDPOINT_SERVER ? "server" : "client", why);
		cr_expect_str_eq(ep.t->scheme, v->scheme, "'%s'", v->text);
		cr_expect_str_eq(ep.host, v->host, "'%s'", v->text);
		cr_expect_str_eq(ep.port, v->port, "'%s'", v->text);
		cr_expect_str_eq(ep.path, v->path, "'%s'", v->text);
		cr_expect_eq(ep.abstract, v->abstract, "'%s'", v->text);
		cr_expect_str_eq(ep.options, "", "'%s'", v->text);
	}
}

ParameterizedTestParameters(endpoint, invalid)
{
	return cr_make_param_array(size_t, indexes(COUNT(invalid)), COUNT(invalid));
}

ParameterizedTest(size_t *i, endpoint, invalid)
{
	const struct invalid *v = &invalid[*i];
	struct endpoint ep;
	char why[256];

	for (int role = ENDPOINT_CLIENT; role <= ENDPOINT_SERVER; role++) {
		if (!(v->roles & (role == ENDPOINT_SERVER ? S : C)))
			continue;
		why[0] = '\0';
		cr_assert_eq(endpoint_parse(v->text, role, &ep, why, sizeof why), -1, "'%s' was accepted", v->text);
		cr_expect(strstr(why, v->why) != NULL, "'%s': message \"%s\" does not say \"%s\"", v->text, why, v->why);
		cr_expect(strchr(why, '\n') == NULL, "'%s': the message is not one line", v->text);
	}
}

/* Lengths at the limits: the largest that fits, and one byte more. */
Test(endpoint, limits)
{
	char text[ENDPOINT_TEXT_MAX + 64], why[256];
	struct endpoint ep;
	size_t sun_max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1; /* 107 on Linux */

	for (int abstract = 0; abstract <= 1; abstract++) {
		int o = snprintf(text, sizeof text, "unixgram:%s", abstract ? "@" : "");
		memset(text + o, 'p', sun_max), text[o + sun_max] = '\0';
		cr_expect_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), 0, "%zu bytes: %s", sun_max, why);
		cr_expect_eq(strlen(ep.path), sun_max);
		text[o + sun_max] = 'p', text[o + sun_max + 1] = '\0';
		cr_expect_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), -1);
		cr_expect(strstr(why, abstract ? "abstract name is 108 bytes" : "unix path is 108 bytes") &&
				  strstr(why, "sun_path holds at most 107"), "%s", why);
	}
	int o = snprintf(text, sizeof text, "tcp://");
	memset(text + o, 'h', ENDPOINT_HOST_MAX - 1), strcpy(text + o + ENDPOINT_HOST_MAX - 1, ":80");
	cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), 0, "a 253-character host: %s", why);
	memset(text + o, 'h', 300), strcpy(text + o + 300, ":80");
	cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), -1);
	cr_expect(strstr(why, "host name is 300 characters; the most is 253"), "%s", why);

	memset(text, 'x', ENDPOINT_TEXT_MAX + 1), memcpy(text, "unix:", 5), text[ENDPOINT_TEXT_MAX + 1] = '\0';
	cr_expect_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), -1);
	cr_expect(strstr(why, "endpoint is 1025 characters; the most is 1024"), "%s", why);

	/* Garbage is quoted shortened, never whole. */
	memset(text, 'z', 500), strcpy(text + 500, "://x:1");
	cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), -1);
	cr_expect(strstr(why, "unknown scheme 'zzz") && strstr(why, "...'") && strlen(why) < 200, "%s", why);
}

/* A message buffer too small for the message is cut, never overrun. */
Test(endpoint, small_message_buffer)
{
	struct endpoint ep;
	char why[16];

	memset(why, '#', sizeof why);
	cr_assert_eq(endpoint_parse("tpc://x:1", ENDPOINT_CLIENT, &ep, why, 8), -1);
	cr_expect(strlen(why) == 7 && why[8] == '#', "'%.16s': cut wrong, or written past its length", why);
}

/* Parses text for role and resolves it; fails the test if either step fails. */
static size_t resolve(const char *text, enum endpoint_role role, struct addr *out, size_t max)
{
	struct endpoint ep;
	char why[256];
	size_t n = 0;

	cr_assert_eq(endpoint_parse(text, role, &ep, why, sizeof why), 0, "'%s': %s", text, why);
	int rc = endpoint_resolve(&ep, role, out, max, &n);
	cr_assert_eq(rc, 0, "'%s': %s", text, gai_strerror(rc));
	cr_assert(n >= 1 && n <= max, "'%s': %zu addresses", text, n);
	return n;
}

Test(endpoint, resolve_inet)
{
	struct addr a[16];
	char text[ADDR_TEXT_MAX];

	cr_assert_eq(resolve("tcp://127.0.0.1:5555", ENDPOINT_CLIENT, a, 16), 1);
	cr_expect_eq(a[0].ss.ss_family, AF_INET);
	cr_expect_eq(a[0].len, sizeof(struct sockaddr_in));
	cr_expect_str_eq(addr_format(&a[0], text, sizeof text), "127.0.0.1:5555");

	cr_assert_eq(resolve("udp://[::1]:5555", ENDPOINT_CLIENT, a, 16), 1);
	cr_expect_eq(a[0].ss.ss_family, AF_INET6);
	cr_expect_eq(a[0].len, sizeof(struct sockaddr_in6));
	cr_expect_str_eq(addr_format(&a[0], text, sizeof text), "[::1]:5555");

	/* A name: every address it has is a loopback one, with the port. */
	size_t n = resolve("tcp://localhost:5555", ENDPOINT_CLIENT, a, 16);
	for (size_t i = 0; i < n; i++) {
		addr_format(&a[i], text, sizeof text);
		cr_expect(strcmp(text, "127.0.0.1:5555") == 0 || strcmp(text, "[::1]:5555") == 0, "localhost gave %s", text);
	}
	cr_expect_eq(resolve("udp://127.0.0.1:7", ENDPOINT_CLIENT, a, 16), 1, "one address per socket type, not three");

	/* Every local address: IPv6's wildcard first (on Linux it takes IPv4 too), IPv4's after. */
	n = resolve("tcp://:0", ENDPOINT_SERVER, a, 16);
	int saw4 = 0;
	for (size_t i = 0; i < n; i++) {
		addr_format(&a[i], text, sizeof text);
		cr_expect(strcmp(text, "0.0.0.0:0") == 0 || strcmp(text, "[::]:0") == 0, "wildcard gave %s", text);
		cr_expect(!(saw4 && a[i].ss.ss_family == AF_INET6), "IPv6 after IPv4 in the wildcard list");
		saw4 |= a[i].ss.ss_family == AF_INET;
	}
	cr_expect(saw4, "no IPv4 wildcard");

	/* A name that does not exist (.invalid is reserved for that): an EAI_* code, no addresses. */
	struct endpoint ep;
	char why[256];
	cr_assert_eq(endpoint_parse("tcp://no-such-host.invalid:5555", ENDPOINT_CLIENT, &ep, why, sizeof why), 0);
	int rc = endpoint_resolve(&ep, ENDPOINT_CLIENT, a, 16, &n);
	cr_expect_neq(rc, 0, "a name that cannot exist resolved");
	cr_expect_eq(n, 0);
}

Test(endpoint, resolve_unix)
{
	struct addr a[2];
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a[0].ss;

	cr_assert_eq(resolve("unix:///tmp/echo.sock", ENDPOINT_CLIENT, a, 2), 1);
	cr_expect_eq(a[0].ss.ss_family, AF_UNIX);
	cr_expect_str_eq(sun->sun_path, "/tmp/echo.sock");
	cr_expect_eq(a[0].len, off + strlen("/tmp/echo.sock") + 1);

	/* An abstract name: a leading NUL, and a length that counts the name and no terminator. */
	cr_assert_eq(resolve("unixpacket:@echo", ENDPOINT_SERVER, a, 2), 1);
	cr_expect_eq(sun->sun_path[0], '\0');
	cr_expect_eq(memcmp(sun->sun_path + 1, "echo", 4), 0);
	cr_expect_eq(a[0].len, off + 1 + 4);
	cr_expect(!addr_is_unnamed_unix(&a[0]));
}

/* endpoint_format() writes what endpoint_parse() reads back to the same address. */
Test(endpoint, format_round_trip)
{
	static const char *const cases[][2] = {
		{ "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5555" },
		{ "tcp://[::1]:80", "tcp://[::1]:80" },
		{ "udp://127.0.0.1:65535", "udp://127.0.0.1:65535" },
		{ "udp://[::1]:1", "udp://[::1]:1" },
		{ "unix:///tmp/echo.sock", "unix:/tmp/echo.sock" },
		{ "unixgram:relative.sock", "unixgram:relative.sock" },
		{ "unixpacket:@echo", "unixpacket:@echo" },
	};
	struct addr a, b;
	char text[ENDPOINT_FORMAT_MAX];

	for (size_t i = 0; i < COUNT(cases); i++) {
		struct endpoint ep;
		char why[256];
		resolve(cases[i][0], ENDPOINT_CLIENT, &a, 1);
		cr_assert_eq(endpoint_parse(cases[i][0], ENDPOINT_CLIENT, &ep, why, sizeof why), 0);
		cr_expect_str_eq(endpoint_format(ep.t, &a, text, sizeof text), cases[i][1]);
		resolve(text, ENDPOINT_CLIENT, &b, 1);
		cr_expect(addr_equal(&a, &b), "%s does not parse back to the same address", text);
	}
}
