/* test_impair_table.c - the impairment layer as a table: its options, its slots, its facts, its seeded generator. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transports/impair/impair.h"
#include "core/sys/sys.h"
#include "tests/support/helpers.h"

/* Opens a server for t in dir, its endpoint followed by ?options when given. */
static void open_server(struct sock *s, const struct transport *t, const char *dir, const char *options)
{
	char text[512], why[256];
	struct endpoint ep;
	int gai;

	test_server_endpoint(t, dir, "impair", text, sizeof text);
	if (options)
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", options);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), 0, "%s: %s", text, why);
	cr_assert_eq(sock_listen_endpoint(s, &ep, 16, &gai), 0, "%s: %s", text, strerror(errno));
}

/* Dials the server srv is bound to, with ?options when given. */
static void open_client(struct sock *c, struct sock *srv, const char *options)
{
	char text[512];
	struct addr a;

	cr_assert_eq(sock_getname(srv, &a), 0);
	endpoint_format(srv->t, &a, text, sizeof text);
	if (options)
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", options);
	cr_assert_eq(test_dial(c, text), 0, "dial %s: %s", text, strerror(errno));
}

/* The server's end of the conversation: the accepted socket, or the bound one itself. */
static struct sock *server_side(struct sock *srv, struct sock *acc)
{
	if (!sock_is_connected(srv))
		return srv;
	cr_assert_eq(test_readable(srv->fd), 1, "no connection to accept");
	cr_assert_eq(sock_accept(srv, acc), 0, "accept: %s", strerror(errno));
	return acc;
}

Test(impair_table, every_slot_filled)
{
	const struct transport *t = &impair_transport;
	struct sock s;

	cr_assert(t->bind && t->listen && t->accept && t->dial && t->send && t->recv && t->sendto && t->recvfrom &&
		  t->shutdown && t->getname && t->close && t->set_file_mode && t->send_batch && t->recv_batch);
	sock_init(&s);
	cr_expect_eq(t->bind(&s, NULL), -1);
	cr_expect_eq(errno, EOPNOTSUPP, "an impaired socket is never bound through the layer");
	cr_expect_eq(t->dial(&s, NULL), -1);
	cr_expect_eq(errno, EOPNOTSUPP);
}

/*
 * Criterion runs each test in a new process image: parameters are copied,
 * and a pointer in them would point nowhere. They are indexes into these tables.
 */
static const struct good {
	const char *text;
	double drop, dup, reorder;
	int delay;
	size_t chunk;
	unsigned long long seed;
} goods[] = {
		{ "", 0, 0, 0, 0, 0, 1 },
		{ "drop=0.1", 0.1, 0, 0, 0, 0, 1 },
		{ "dup=1", 0, 1, 0, 0, 0, 1 },
		{ "reorder=.5", 0, 0, 0.5, 0, 0, 1 },
		{ "delay=60000", 0, 0, 0, 60000, 0, 1 },
		{ "chunk=1", 0, 0, 0, 0, 1, 1 },
		{ "seed=0", 0, 0, 0, 0, 0, 0 },
		{ "seed=18446744073709551615", 0, 0, 0, 0, 0, 18446744073709551615ULL },
		{ "chunk=1048576&delay=0&drop=0&dup=0.25&reorder=1&seed=7", 0, 0.25, 1, 0, 1048576, 7 },
};

static size_t *indexes(size_t n)
{
	static size_t v[64];
	for (size_t i = 0; i < n && i < 64; i++)
		v[i] = i;
	return v;
}

ParameterizedTestParameters(impair_table, parse_good)
{
	return cr_make_param_array(size_t, indexes(sizeof goods / sizeof goods[0]), sizeof goods / sizeof goods[0]);
}

ParameterizedTest(size_t *i, impair_table, parse_good)
{
	const struct good *g = &goods[*i];
	struct impair_params p;
	char why[256] = "";

	cr_assert_eq(impair_parse(g->text, &p, why, sizeof why), 0, "'%s': %s", g->text, why);
	cr_expect(p.drop == g->drop && p.dup == g->dup && p.reorder == g->reorder, "'%s'", g->text);
	cr_expect_eq(p.delay_ms, g->delay, "'%s'", g->text);
	cr_expect_eq(p.chunk, g->chunk, "'%s'", g->text);
	cr_expect_eq(p.seed, g->seed, "'%s'", g->text);
}

static const struct bad {
	const char *text;
	const char *names; /* what the message must quote */
} bads[] = {
		{ "bogus=1", "unknown option 'bogus'" }, { "DROP=0.1", "unknown option 'DROP'" },
		{ "drop", "option 'drop' needs a value" }, { "drop=", "'drop='" }, { "drop=1.5", "'drop=1.5'" },
		{ "drop=-0.1", "'drop=-0.1'" }, { "drop=abc", "'drop=abc'" }, { "drop=1e-1", "'drop=1e-1'" },
		{ "drop=nan", "'drop=nan'" }, { "dup=2", "'dup=2'" }, { "reorder=0.5.5", "'reorder=0.5.5'" },
		{ "delay=60001", "'delay=60001'" }, { "delay=1.5", "'delay=1.5'" }, { "delay=-1", "'delay=-1'" },
		{ "chunk=0", "'chunk=0'" }, { "chunk=1048577", "'chunk=1048577'" }, { "chunk= 1", "'chunk= 1'" },
		{ "seed=-1", "'seed=-1'" }, { "seed=0x10", "'seed=0x10'" },
		{ "seed=18446744073709551616", "'seed=18446744073709551616'" },
		{ "drop=0.1&drop=0.2", "'drop' is given twice" }, { "drop=0.1&", "empty option" },
		{ "&drop=0.1", "empty option" }, { "drop=0.1&&dup=0.1", "empty option" },
		{ "=1", "unknown option ''" },
};

ParameterizedTestParameters(impair_table, parse_bad)
{
	return cr_make_param_array(size_t, indexes(sizeof bads / sizeof bads[0]), sizeof bads / sizeof bads[0]);
}

ParameterizedTest(size_t *i, impair_table, parse_bad)
{
	const struct bad *b = &bads[*i];
	struct impair_params p;
	char why[256] = "";

	cr_assert_eq(impair_parse(b->text, &p, why, sizeof why), -1, "'%s' was accepted", b->text);
	cr_expect(strstr(why, b->names) != NULL, "'%s': the message '%s' should say %s", b->text, why, b->names);
}

Test(impair_table, endpoint_names_the_bad_option)
{
	struct endpoint ep;
	char why[256] = "";

	cr_assert_eq(endpoint_parse("udp://127.0.0.1:5555?drop=2&seed=1", ENDPOINT_CLIENT, &ep, why, sizeof why), -1);
	cr_expect(strstr(why, "drop=2") && strstr(why, "from 0 to 1"), "%s", why);
	cr_assert_eq(endpoint_parse("unix:/tmp/x.sock?chunk=2", ENDPOINT_SERVER, &ep, why, sizeof why), 0, "%s", why);
	cr_expect_str_eq(ep.path, "/tmp/x.sock", "the options are not part of the path");
}

ParameterizedTestParameters(impair_table, wraps_every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* The layer keeps the wrapped transport's facts and name; accept gives impaired connections; close frees all. */
ParameterizedTest(size_t *i, impair_table, wraps_every_transport)
{
	const struct transport *t = transport_registry[*i];
	struct sock srv, cli, acc;
	struct addr a;
	struct stat st;
	char dir[64], text[ENDPOINT_FORMAT_MAX];
	int fds = test_open_fds();

	test_tmpdir(dir, sizeof dir);
	sock_init(&acc);
	if (transport_in_user_space(t)) {
		/* The layer is beneath socklab's own protocol, on its UDP socket (rdt_open.c), never around it. */
		open_server(&srv, t, dir, "seed=3&chunk=4");
		cr_expect_eq(srv.t, t, "%s: wrapped", t->scheme);
		cr_expect_eq(srv.impair, NULL);
		cr_expect_eq(sock_close(&srv), 0);
		cr_expect_eq(test_open_fds(), fds, "%s: a descriptor leaked", t->scheme);
		test_rmdir(dir);
		return;
	}
	open_server(&srv, t, dir, "seed=3&chunk=4");
	cr_expect_neq(srv.t, t, "%s: not wrapped", t->scheme);
	cr_expect_neq(srv.impair, NULL);
	cr_expect_eq(srv.flags, t->flags, "%s: the facts changed", t->scheme);
	cr_expect_str_eq(srv.t->scheme, t->scheme);
	cr_expect_eq(srv.t->type, t->type);
	cr_assert_eq(sock_getname(&srv, &a), 0);
	cr_expect_eq(strncmp(endpoint_format(srv.t, &a, text, sizeof text), t->scheme, strlen(t->scheme)), 0, "%s", text);
	open_client(&cli, &srv, transport_is_reliable(t) ? "delay=1" : "drop=0.5");
	cr_expect_eq(cli.flags, t->flags);
	struct sock *s = server_side(&srv, &acc);
	if (s == &acc) {
		cr_expect_neq(acc.impair, NULL, "%s: accept() gave an unimpaired connection", t->scheme);
		cr_expect_neq(acc.t, srv.t, "each connection has its own state");
		cr_expect_eq(acc.flags, t->flags);
	}
	cr_expect_eq(sock_close(&cli), 0);
	cr_expect_eq(sock_close(&acc), 0);
	cr_expect_eq(sock_close(&srv), 0);
	cr_expect_eq(srv.impair, NULL);
	cr_expect_eq(srv.t, t, "a closed socket goes back to its transport");
	cr_expect_eq(test_open_fds(), fds, "%s: a descriptor leaked", t->scheme);
	if (transport_has_socket_file(t)) {
		snprintf(text, sizeof text, "%s/impair.sock", dir);
		cr_expect_neq(lstat(text, &st), 0, "%s: the socket file was left behind", t->scheme);
	}
	test_rmdir(dir);
}

Test(impair_table, no_options_no_layer)
{
	struct sock srv;
	char dir[64];

	test_tmpdir(dir, sizeof dir);
	open_server(&srv, transport_registry[0], dir, NULL);
	cr_expect_eq(srv.t, transport_registry[0]);
	cr_expect_eq(srv.impair, NULL);
	sock_close(&srv);
	test_rmdir(dir);
}

/* The same seed, the same draws; another seed, others. */
Test(impair_table, generator_repeats)
{
	struct impair_params p = { .seed = 7 };
	struct impair *a = impair_new(transport_registry[0], &p, 7), *b = impair_new(transport_registry[0], &p, 7);
	struct impair *c = impair_new(transport_registry[0], &p, 8);
	int same = 1, differ = 0, hits = 0;

	cr_assert(a && b && c);
	for (int i = 0; i < 1000; i++) {
		unsigned long long x = impair_next(a), y = impair_next(b), z = impair_next(c);
		same &= x == y;
		differ |= x != z;
		hits += impair_chance(a, 0.25);
		(void)impair_chance(b, 0.25); /* keeps b in step with a */
	}
	cr_expect(same, "seed 7 twice gave two sequences");
	cr_expect(differ, "seeds 7 and 8 gave the same sequence");
	cr_expect(hits > 200 && hits < 300, "chance(0.25) came %d times in 1000", hits);
	impair_free(a);
	impair_free(b);
	impair_free(c);
}
