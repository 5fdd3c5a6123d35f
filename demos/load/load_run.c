/* load_run.c - the load generator's loop: open every client first, then keep each one busy until all are done. */
#include "load_run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/io.h"
#include "core/sys/sys.h"

#define EVENTS_MAX 256 /* events taken from one wait */
#define RETRY_MS 1     /* a datagram the kernel had no room for is sent again after this */
#define SCAN_MS 100    /* how often late echoes are looked for */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sends again for every blocked client; those still without room queue themselves again. */
static void retry_blocked(struct load_run *run)
{
	unsigned n = run->nblocked;

	run->nblocked = 0;
	for (unsigned i = 0; i < n; i++) {
		struct load_client *c = run->blocked[i];
		c->blocked = 0;
		if (!c->done)
			run->kind->pump(run, c);
	}
}

/* Remembers which client owns fd, and starts watching it. */
static int track(struct load_run *run, struct load_client *c)
{
	int fd = c->sock.fd;

	if (fd >= run->nby_fd) {
		int n = run->nby_fd ? run->nby_fd : 256;
		while (n <= fd)
			n *= 2;
		struct load_client **b = realloc(run->by_fd, (size_t)n * sizeof *b);
		if (!b)
			return -1;
		memset(b + run->nby_fd, 0, (size_t)(n - run->nby_fd) * sizeof *b);
		run->by_fd = b;
		run->nby_fd = n;
	}
	if (poller_add(run->poller, fd, POLLER_IN) < 0)
		return -1;
	c->events = POLLER_IN;
	run->by_fd[fd] = c;
	return 0;
}

/* Can the client send its largest message whole? A unix socket's send buffer is raised if need be. 1, or 0 EMSGSIZE. */
static int room_for(struct load_client *c, size_t size)
{
	if (size <= IO_UDP4_MAX || sock_message_max(&c->sock, size) >= size)
		return 1;
	errno = EMSGSIZE;
	return 0;
}

/*
 * Every client first, one after the other, so that all are connected at the
 * same time before any of them sends. Stops at the first that fails.
 */
static int open_all(struct load_run *run, const struct endpoint *ep)
{
	struct load_result *r = run->r;

	for (unsigned i = 0; i < run->o->clients; i++) {
		struct load_client *c = &run->c[i];
		int gai = 0;
		/* --timeout bounds each connect() too: a SYN nobody answers would hold it for minutes. */
		if (sock_dial_endpoint_within(&c->sock, ep, run->o->timeout_ms, &gai) < 0 ||
		    sock_set_nonblocking(&c->sock) < 0 || !room_for(c, run->o->size_max) || track(run, c) < 0) {
			r->err = errno;
			r->gai = gai;
			r->err_client = i;
			r->err_op = "connect";
			return -1;
		}
		r->connected++;
	}
	return 0;
}

static void serve(struct load_run *run)
{
	struct poller_event evs[EVENTS_MAX];
	long long next_scan = sys_now_ms() + SCAN_MS;

	for (unsigned i = 0; i < run->o->clients; i++)
		if (run->o->messages == 0)
			load_client_done(run, &run->c[i]); /* nothing to send: done once connected */
		else
			run->kind->pump(run, &run->c[i]);
	while (run->ndone < run->o->clients) {
		long long now = sys_now_ms();
		int timeout = next_scan > now ? (int)(next_scan - now) : 0;
		if (run->nblocked && timeout > RETRY_MS)
			timeout = RETRY_MS;
		int n = poller_wait(run->poller, evs, EVENTS_MAX, timeout);
		for (int i = 0; i < n; i++) {
			struct load_client *c = evs[i].fd < run->nby_fd ? run->by_fd[evs[i].fd] : NULL;
			if (!c || c->done)
				continue;
			if (evs[i].events & (POLLER_IN | POLLER_ERR))
				run->kind->read(run, c);
			if (!c->done)
				run->kind->pump(run, c);
		}
		if (run->nblocked)
			retry_blocked(run);
		now = sys_now_ms();
		if (now >= next_scan) {
			for (unsigned i = 0; i < run->o->clients; i++)
				if (!run->c[i].done)
					run->kind->expire(run, &run->c[i], now);
			next_scan = now + SCAN_MS;
		}
	}
}

int load_run(const struct endpoint *ep, const struct load_options *o, struct load_result *r)
{
	struct load_run run = { .o = o, .r = r };
	int rc = -1;

	memset(r, 0, sizeof *r);
	int boundaries = transport_keeps_boundaries(ep->t);
	run.kind = boundaries ? &load_message_kind : &load_stream_kind; /* the one decision */
	run.buflen = boundaries ? o->size_max + 1 : LOAD_CHUNK; /* +1: a longer echo shows as truncated */
	if (run.buflen < LOAD_CHUNK)
		run.buflen = LOAD_CHUNK;
	run.buf = malloc(run.buflen);
	run.c = calloc(o->clients, sizeof *run.c);
	run.blocked = calloc(o->clients, sizeof *run.blocked);
	run.poller = poller_new(o->poller);
	if (boundaries && run.c && !(run.c[0].slots = calloc((size_t)o->clients * o->window, sizeof(struct load_slot))))
		goto out;
	if (!run.buf || !run.c || !run.blocked || !run.poller)
		goto out;
	for (unsigned i = 0; i < o->clients; i++) {
		sock_init(&run.c[i].sock);
		run.c[i].id = i;
		if (boundaries)
			run.c[i].slots = run.c[0].slots + (size_t)i * o->window;
	}

	double t0 = now_s();
	if (open_all(&run, ep) == 0) {
		double t1 = now_s();
		r->connect_s = t1 - t0;
		long long start = sys_now_ms();
		for (unsigned i = 0; i < o->clients; i++)
			run.c[i].progress_ms = start;
		serve(&run);
		r->elapsed_s = now_s() - t1;
	} else {
		r->connect_s = now_s() - t0;
	}
	rc = 0;
out:
	if (rc < 0 && !errno)
		errno = ENOMEM;
	int saved = errno;
	/*
	 * Every connection's end first, then the closes: the ends travel together,
	 * and a close that waits for its handshake (rdt's, as SO_LINGER makes TCP's
	 * wait) finds it over, rather than each waiting its turn.
	 */
	for (unsigned i = 0; run.c && i < o->clients; i++)
		if (run.c[i].sock.fd >= 0 && sock_is_connected(&run.c[i].sock))
			(void)sock_shutdown(&run.c[i].sock, SHUT_WR);
	for (unsigned i = 0; run.c && i < o->clients; i++)
		sock_close(&run.c[i].sock);
	if (run.c)
		free(run.c[0].slots);
	free(run.c);
	free(run.blocked);
	free(run.by_fd);
	free(run.buf);
	poller_free(run.poller);
	errno = saved;
	return rc;
}
