/* test_impair_data.c - what the impairment layer does to data on every transport, seeded, and to real peers. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transports/impair/impair.h"
#include "core/sys/sys.h"
#include "tests/support/helpers.h"

#define MAXN 256
#define RECORD 8      /* "0000042\n": a stream is cut back into these */
#define QUIET_MS 200  /* after the sender closed: a datagram is queued at once on one host, or never */

/* What arrived of count numbered records. */
struct tally {
	int copies[MAXN]; /* how many times each number arrived */
	int seq[2 * MAXN], n; /* the numbers in the order they arrived */
	int late;         /* arrivals behind a higher number */
	long long ms;     /* the sender's time */
};

static void note(struct tally *r, const char *rec)
{
	int k = atoi(rec), high = -1;

	for (int i = 0; i < r->n; i++)
		high = r->seq[i] > high ? r->seq[i] : high;
	if (k < 0 || k >= MAXN || r->n >= 2 * MAXN)
		return;
	r->late += k < high;
	r->copies[k]++;
	r->seq[r->n++] = k;
}

/* The server's receive: recv on a connection; recvfrom on a datagram socket, which has no peer of its own. */
static ssize_t server_recv(struct sock *s, void *buf, size_t len)
{
	struct addr from;

	return sock_is_connected(s) ? sock_recv(s, buf, len, NULL) : sock_recvfrom(s, buf, len, &from, NULL);
}

/* Reads all the server's side has now; a stream is cut into records. 1 at the end of a connection. */
static int take(struct sock *s, struct tally *r, char *part, size_t *plen)
{
	char buf[4096];

	for (;;) {
		ssize_t n = server_recv(s, buf, sizeof buf);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (n == 0 && sock_is_connected(s))
			return 1;
		if (sock_keeps_boundaries(s)) {
			buf[n < (ssize_t)sizeof buf ? n : n - 1] = '\0';
			note(r, buf);
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			part[(*plen)++] = buf[i];
			if (*plen == RECORD) {
				part[RECORD] = '\0';
				note(r, part);
				*plen = 0;
			}
		}
	}
}

/*
 * A plain server, a client with ?options, count records sent and read as
 * they come. Asserts nothing (it also runs in forked children). 0 or -1.
 */
static int run_numbered(const struct transport *t, const char *dir, const char *options, int count, struct tally *r)
{
	char text[512], why[256], rec[RECORD + 1], part[RECORD + 1];
	struct endpoint ep;
	struct sock srv, cli, acc, *s = &srv;
	struct addr a;
	size_t plen = 0;
	int gai, rc = -1, end = 0;

	memset(r, 0, sizeof *r);
	sock_init(&srv), sock_init(&cli), sock_init(&acc);
	test_server_endpoint(t, dir, "numbered", text, sizeof text);
	if (endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) < 0 || sock_listen_endpoint(&srv, &ep, 4, &gai) < 0 ||
	    sock_getname(&srv, &a) < 0)
		goto out;
	endpoint_format(t, &a, text, sizeof text);
	snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", options);
	if (test_dial(&cli, text) < 0)
		goto out;
	if (sock_is_connected(&srv)) {
		if (!test_readable(srv.fd) || sock_accept(&srv, &acc) < 0)
			goto out;
		s = &acc;
	}
	if (sock_set_nonblocking(s) < 0)
		goto out;
	long long start = sys_now_ms();
	for (int i = 0; i < count && end == 0; i++) {
		snprintf(rec, sizeof rec, "%07d\n", i % MAXN);
		if (sock_send_all(&cli, rec, RECORD) < 0 || (end = take(s, r, part, &plen)) < 0)
			goto out;
	}
	r->ms = sys_now_ms() - start;
	sock_close(&cli); /* a held datagram goes now; a connection ends */
	while (end == 0 && sys_wait(s->fd, 0, sock_is_connected(s) ? TEST_WAIT_S * 1000 : QUIET_MS) > 0)
		if ((end = take(s, r, part, &plen)) < 0)
			goto out;
	rc = 0;
out:
	sock_close(&cli);
	sock_close(&acc);
	sock_close(&srv);
	return rc;
}

struct effect {
	const char *options;
	int datagrams; /* how many to send */
};

static const struct effect effects[] = {
	{ "drop=0.3&seed=7", 200 },
	{ "dup=1", 200 },
	{ "reorder=0.5&seed=3", 200 },
	{ "drop=1", 40 },
};

struct combo {
	size_t t, e;
};

ParameterizedTestParameters(impair_data, effects)
{
	static struct combo v[32 * 4];
	size_t n = 0;

	for (size_t t = 0; t < test_transport_count() && t < 32; t++)
		for (size_t e = 0; e < sizeof effects / sizeof effects[0]; e++)
			v[n++] = (struct combo){ t, e };
	return cr_make_param_array(struct combo, v, n);
}

/*
 * UDP datagrams suffer; every reliable transport refuses to pretend: Linux
 * never loses a unix datagram, and TCP's repairs cannot be faked in a sender
 * (make lab shows them), so drop, dup and reorder are refused, naming make lab.
 */
ParameterizedTest(struct combo *c, impair_data, effects)
{
	const struct transport *t = transport_registry[c->t];
	const struct effect *e = &effects[c->e];
	int count = e->datagrams, distinct = 0, twice = 0, more = 0;
	struct tally r;
	char dir[64];

	if (transport_in_user_space(t)) {
		/* socklab's own protocol is made of datagrams: the layer acts beneath it (tests/test_contrast.c: impaired) */
		char text[512], why[256];
		struct endpoint ep;
		snprintf(text, sizeof text, "%s://127.0.0.1:9?%s", t->scheme, e->options);
		cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), 0, "%s: %s", text, why);
		return;
	}
	if (transport_is_reliable(t)) {
		char text[512], why[256];
		struct endpoint ep;
		test_server_endpoint(t, "/tmp", "refused", text, sizeof text);
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", e->options);
		cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), -1, "%s was accepted", text);
		cr_expect(strstr(why, "refused on") && strstr(why, "make lab"), "%s: %s", text, why);
		return;
	}
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(run_numbered(t, dir, e->options, count, &r), 0, "%s?%s: %s", t->scheme, e->options, strerror(errno));
	test_rmdir(dir);
	for (int k = 0; k < count; k++) {
		distinct += r.copies[k] > 0;
		twice += r.copies[k] == 2;
		more += r.copies[k] > 2;
	}
	cr_expect_eq(more, 0, "%s?%s: a record came more than twice", t->scheme, e->options);
	if (strcmp(e->options, "reorder=0.5&seed=3") == 0)
		cr_expect_eq(distinct, count, "%s?%s: %d of %d arrived", t->scheme, e->options, distinct, count);
	if (strcmp(e->options, "drop=0.3&seed=7") == 0) {
		cr_expect(distinct > count / 2 && distinct < count * 9 / 10, "%s: %d of %d arrived", t->scheme, distinct, count);
		cr_expect_eq(r.late + twice, 0, "%s: drop alone neither reorders nor duplicates", t->scheme);
	} else if (strcmp(e->options, "dup=1") == 0) {
		cr_expect_eq(twice, count, "%s: %d of %d came twice", t->scheme, twice, count);
	} else if (strcmp(e->options, "drop=1") == 0) {
		cr_expect_eq(r.n, 0, "%s: %d arrived through drop=1", t->scheme, r.n);
	} else {
		cr_expect_gt(r.late, 0, "%s: reorder=0.5 kept every record in order", t->scheme);
		cr_expect_eq(r.n, count, "%s: reorder lost or duplicated", t->scheme);
	}
}

/* Runs run_numbered over t in a child process (a fresh process: the same sockets, the same seeds). */
static void in_child(const struct transport *t, const char *options, struct tally *r)
{
	int p[2];
	char dir[64];

	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct tally mine;
		test_tmpdir(dir, sizeof dir);
		int rc = run_numbered(t, dir, options, 150, &mine);
		test_rmdir(dir);
		_exit(rc == 0 && write(p[1], &mine, sizeof mine) == (ssize_t)sizeof mine ? 0 : 1);
	}
	close(p[1]);
	size_t got = 0;
	while (got < sizeof *r) {
		ssize_t n = read(p[0], (char *)r + got, sizeof *r - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(got == sizeof *r && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's run failed");
}

/* Two runs with the same seed lose, duplicate and reorder the same datagrams; another seed does not. */
Test(impair_data, same_seed_same_fate)
{
	const struct transport *udp = transport_find("udp", 3);
	struct tally a, b, c;

	in_child(udp, "drop=0.2&dup=0.1&reorder=0.2&seed=11", &a);
	in_child(udp, "drop=0.2&dup=0.1&reorder=0.2&seed=11", &b);
	in_child(udp, "drop=0.2&dup=0.1&reorder=0.2&seed=12", &c);
	cr_expect_gt(a.n, 0);
	cr_expect(a.n == b.n && memcmp(a.seq, b.seq, sizeof a.seq[0] * (size_t)a.n) == 0, "seed 11 twice, two fates");
	cr_expect(a.n != c.n || memcmp(a.seq, c.seq, sizeof a.seq[0] * (size_t)a.n) != 0, "seeds 11 and 12, one fate");
}
