/* test_load_faults.c - socklab load against echo peers that wait, corrupt or lose on purpose, over every transport. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transports/endpoint.h"
#include "core/transport.h"
#include "tests/support/helpers.h"

#define PEER_MAX 64          /* connections or datagram peers one test peer serves */
#define PEER_BUF (64 * 1024)

/* How the peer misbehaves. */
struct misbehave {
	int barrier;     /* reply to nobody until this many clients have arrived (all at once) */
	long flip_at;    /* flip the byte at this offset of every connection / of one datagram (-1: never) */
	int drop_every;  /* datagrams: drop every Nth; streams: close after N receives (0: never) */
	int twice;       /* send every reply twice */
};

/* Connected transports: accept (all first when barrier), then echo each connection, with the fault. */
static void serve_connected(struct sock *ls, const struct misbehave *m)
{
	struct sock c[PEER_MAX];
	struct pollfd p[PEER_MAX + 1];
	long seen[PEER_MAX] = { 0 }, reads[PEER_MAX] = { 0 };
	static unsigned char buf[PEER_BUF];
	int n = 0;

	for (; n < m->barrier; n++)
		if (sock_accept(ls, &c[n]) < 0)
			_exit(3);
	for (;;) {
		p[0] = (struct pollfd){ .fd = ls->fd, .events = POLLIN };
		for (int i = 0; i < n; i++)
			p[i + 1] = (struct pollfd){ .fd = c[i].fd, .events = c[i].fd < 0 ? 0 : POLLIN };
		if (poll(p, (nfds_t)n + 1, -1) < 0)
			_exit(4);
		if ((p[0].revents & POLLIN) && n < PEER_MAX && sock_accept(ls, &c[n]) == 0)
			n++;
		for (int i = 0; i < n; i++) {
			if (!(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t got = sock_recv(&c[i], buf, sizeof buf, NULL);
			if (got <= 0 || (m->drop_every && ++reads[i] >= m->drop_every)) {
				sock_close(&c[i]); /* the end, or the fault: a server that gives up early */
				continue;
			}
			if (m->flip_at >= seen[i] && m->flip_at < seen[i] + got)
				buf[m->flip_at - seen[i]] ^= 0x20;
			seen[i] += got;
			for (int k = 0; k <= m->twice; k++)
				if (sock_send_all(&c[i], buf, (size_t)got) < 0)
					sock_close(&c[i]);
		}
	}
}

/* Datagram transports: hold replies until barrier peers have spoken, then echo, with the faults. */
static void serve_datagrams(struct sock *ls, const struct misbehave *m)
{
	struct addr peers[PEER_MAX], from;
	static unsigned char held[PEER_MAX][PEER_BUF], buf[PEER_BUF];
	size_t held_len[PEER_MAX];
	int npeers = 0;
	long count = 0;

	for (;;) {
		ssize_t got = sock_recvfrom(ls, buf, sizeof buf, &from, NULL);
		if (got < 0)
			_exit(5);
		count++;
		if (m->drop_every && count % m->drop_every == 0)
			continue;
		if (m->flip_at >= 0 && count == 3 && got > m->flip_at)
			buf[m->flip_at] ^= 0x20;
		if (npeers < m->barrier) {
			int known = 0;
			for (int i = 0; i < npeers; i++)
				known |= addr_equal(&peers[i], &from);
			if (known)
				_exit(6); /* a client sent twice before every client had sent once */
			peers[npeers] = from;
			memcpy(held[npeers], buf, (size_t)got);
			held_len[npeers++] = (size_t)got;
			if (npeers == m->barrier)
				for (int i = 0; i < npeers; i++)
					sock_sendto(ls, held[i], held_len[i], &peers[i]);
			continue;
		}
		for (int k = 0; k <= m->twice; k++)
			sock_sendto(ls, buf, (size_t)got, &from);
	}
}

/* The peer's loop, in the child. */
static void serve_peer(struct sock *ls, void *ctx)
{
	const struct misbehave *m = ctx;

	if (sock_is_connected(ls))
		serve_connected(ls, m);
	serve_datagrams(ls, m);
}

/* Binds a peer for t in dir, forks it, and writes its endpoint. Returns the child's pid. */
static pid_t start_peer(const struct transport *t, const char *dir, const struct misbehave *m, struct sock *ls,
			char *ep, size_t eplen)
{
	return test_fork_listener(t, dir, "peer", 128, serve_peer, (void *)m, ls, ep, eplen);
}

static void stop_peer(pid_t pid, struct sock *ls, const char *dir)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sock_close(ls);
	test_rmdir(dir);
}

static void run_load(struct run_result *r, const char *ep, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "exec \"$0\" load '%s' %s --json", ep, args);
	const char *argv[] = { "sh", "-c", cmd, test_socklab(), NULL };
	cr_assert(test_run(argv, NULL, 0, r) == 0);
}

static double json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

ParameterizedTestParameters(load_faults, all_connected_before_any_echo)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* The peer answers nobody until all 30 clients are there: load must open them all before waiting. */
ParameterizedTest(size_t *i, load_faults, all_connected_before_any_echo)
{
	const struct transport *t = transport_registry[*i];
	struct misbehave m = { .barrier = 30, .flip_at = -1 };
	char dir[64], ep[ENDPOINT_FORMAT_MAX];
	struct sock ls;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	pid_t pid = start_peer(t, dir, &m, &ls, ep, sizeof ep);
	run_load(&r, ep, "--clients 30 --messages 5");
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect_eq(json_num(r.out, "echoed"), 150, "%s: %s", t->scheme, r.out);
	test_run_free(&r);
	stop_peer(pid, &ls, dir);
}

ParameterizedTestParameters(load_faults, detects_corruption)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* One flipped bit in what comes back: counted, and the run fails with one line. */
ParameterizedTest(size_t *i, load_faults, detects_corruption)
{
	const struct transport *t = transport_registry[*i];
	struct misbehave m = { .flip_at = 10 };
	char dir[64], ep[ENDPOINT_FORMAT_MAX];
	struct sock ls;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	pid_t pid = start_peer(t, dir, &m, &ls, ep, sizeof ep);
	run_load(&r, ep, "--clients 2 --messages 10 --size 64 --timeout 0.5");
	cr_expect_eq(r.status, 1, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect_geq(json_num(r.out, "corrupted"), 1, "%s: %s", t->scheme, r.out);
	cr_expect(strstr(r.err, "corrupted") != NULL, "%s: %s", t->scheme, r.err);
	cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "%s: not one line: %s", t->scheme, r.err);
	test_run_free(&r);
	stop_peer(pid, &ls, dir);
}

ParameterizedTestParameters(load_faults, counts_what_is_lost)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * Datagrams: the peer drops every 4th; exactly 10 of 40 are lost. UDP
 * promises nothing, so the run passes; a reliable transport fails. Streams:
 * the peer closes after a few reads, and the run fails.
 */
ParameterizedTest(size_t *i, load_faults, counts_what_is_lost)
{
	const struct transport *t = transport_registry[*i];
	struct misbehave m = { .flip_at = -1, .drop_every = 4 };
	char dir[64], ep[ENDPOINT_FORMAT_MAX];
	struct sock ls;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	pid_t pid = start_peer(t, dir, &m, &ls, ep, sizeof ep);
	run_load(&r, ep, "--clients 1 --messages 40 --size 100 --timeout 0.3");
	if (transport_is_connected(t)) {
		cr_expect_eq(r.status, 1, "%s: exit %d: %s", t->scheme, r.status, r.err);
		cr_expect_gt(json_num(r.out, "lost"), 0, "%s: %s", t->scheme, r.out);
	} else {
		cr_expect_eq(r.status, transport_is_reliable(t) ? 1 : 0, "%s: exit %d: %s", t->scheme, r.status,
			     r.err);
		cr_expect_eq(json_num(r.out, "lost"), 10, "%s: %s", t->scheme, r.out);
		cr_expect_eq(json_num(r.out, "echoed"), 30, "%s: %s", t->scheme, r.out);
	}
	cr_expect_eq(json_num(r.out, "corrupted"), 0, "%s: %s", t->scheme, r.out);
	test_run_free(&r);
	stop_peer(pid, &ls, dir);
}

ParameterizedTestParameters(load_faults, duplicates_are_not_corruption)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * The peer sends every reply twice. A message transport sees each message
 * come back a second time: counted as a duplicate, and nothing is corrupted.
 * On a stream the second copy is bytes no message in flight explains: unexpected, exit 1.
 */
ParameterizedTest(size_t *i, load_faults, duplicates_are_not_corruption)
{
	const struct transport *t = transport_registry[*i];
	struct misbehave m = { .flip_at = -1, .twice = 1 };
	char dir[64], ep[ENDPOINT_FORMAT_MAX];
	struct sock ls;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	pid_t pid = start_peer(t, dir, &m, &ls, ep, sizeof ep);
	run_load(&r, ep, "--clients 2 --messages 20 --size 1-500 --timeout 1");
	if (transport_keeps_boundaries(t)) {
		cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
		cr_expect_eq(json_num(r.out, "echoed"), 40, "%s: %s", t->scheme, r.out);
		cr_expect_eq(json_num(r.out, "corrupted"), 0, "%s: %s", t->scheme, r.out);
		cr_expect_geq(json_num(r.out, "duplicates"), 38, "%s: %s", t->scheme, r.out);
	} else {
		/* The copy matches no message in flight: unexpected bytes, not a message corrupted (each was echoed whole). */
		cr_expect_eq(r.status, 1, "%s: exit %d: %s", t->scheme, r.status, r.err);
		cr_expect_geq(json_num(r.out, "unexpected"), 1, "%s: %s", t->scheme, r.out);
		cr_expect_eq(json_num(r.out, "sent"), json_num(r.out, "echoed") + json_num(r.out, "corrupted") + json_num(r.out, "lost"),
			     "%s: %s", t->scheme, r.out);
	}
	test_run_free(&r);
	stop_peer(pid, &ls, dir);
}
