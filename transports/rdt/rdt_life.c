/* rdt_life.c - the lives of rdt's drivers: made, given a thread, released by the last socket; and the process's exit. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdt_sock.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "core/sys/trace.h"
#include "transports/endpoint.h"
#include "transports/impair/impair.h"

static pthread_once_t life_once = PTHREAD_ONCE_INIT;

long long rdt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* splitmix64 over a seed from /dev/urandom (and the clock, should it be missing) and a counter. */
uint64_t rdt_random(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t state;
	static int seeded;

	pthread_mutex_lock(&lock);
	if (!seeded) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, &state, sizeof state) != (ssize_t)sizeof state)
				state = 0;
			close(fd);
		}
		state ^= (uint64_t)rdt_now() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)getpid();
		seeded = 1;
	}
	uint64_t x = (state += 0x9E3779B97F4A7C15ULL);
	pthread_mutex_unlock(&lock);
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/*
 * At exit: every connection the program left open is closed, as the kernel
 * closes a process's sockets, and the thread gets RDT_LINGER_MS to finish
 * the close handshakes; then it resets what is left and ends.
 */
static void at_exit(void)
{
	rdt_hub_exit();
}

/* fork() copies only the thread that calls it: the child's drivers are copies nobody serves. */
static void before_fork(void) { rdt_lock(); }
static void after_fork_parent(void) { rdt_unlock(); }
static void after_fork_child(void) { rdt_hub_forget(); }

static void life_init(void)
{
	atexit(at_exit);
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

int rdt_sock_config(const char *options, struct rdt_config *cfg, char *why, size_t whylen)
{
	char mine[256], rest[256];

	if (rdt_options_split(options ? options : "", mine, sizeof mine, rest, sizeof rest) < 0) {
		snprintf(why, whylen, "options after '?' are too long");
		return -1;
	}
	if (rdt_config_parse(mine, cfg, why, whylen) < 0)
		return -1;
	/*
	 * A socket's default is more patient than the core's: a server whose one
	 * protocol thread serves a thousand connections on a busy machine may
	 * leave one unanswered for seconds (its UDP buffer full), and giving up is
	 * worse than waiting. retries= still says otherwise.
	 */
	if (strncmp(mine, "retries=", 8) != 0 && !strstr(mine, "&retries="))
		cfg->retries = RDT_SOCK_RETRIES;
	if (cfg->payload >= RDT_PAYLOAD_MAX) {
		snprintf(why, whylen, "payload=%u: rdt's socket layer keeps one byte of each packet for itself, so at most %u",
			 cfg->payload, RDT_PAYLOAD_MAX - 1);
		return -1;
	}
	cfg->payload++; /* the byte of rdt_pieces.c */
	cfg->ack_every = 2; /* the thread calls rdt_ack_flush at the end of each round */
	return rdt_config_check(cfg, why, whylen);
}

struct rdt_driver *rdt_driver_new(const char *options, int listener)
{
	char why[160];
	struct rdt_driver *d = calloc(1, sizeof *d);

	pthread_once(&life_once, life_init);
	if (!d)
		return NULL;
	sock_init(&d->udp);
	d->acc[0] = d->acc[1] = -1;
	d->listener = listener;
	peer_table_init(&d->peers);
	if (rdt_sock_config(options, &d->cfg, why, sizeof why) < 0) {
		free(d);
		errno = EINVAL; /* endpoint_parse() said why already */
		return NULL;
	}
	d->dgram_max = RDT_HEADER_SIZE + (d->cfg.payload > RDT_SYN_OPTIONS ? d->cfg.payload : RDT_SYN_OPTIONS);
	d->in = malloc(d->dgram_max + 1); /* one byte more: a longer datagram shows as truncated */
	d->out = malloc(d->dgram_max);
	if (!d->in || !d->out) {
		rdt_driver_free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

int rdt_driver_impair(struct rdt_driver *d, const char *options)
{
	char mine[256];
	struct endpoint ep = { .t = &udp_transport };

	if (!options || rdt_options_split(options, mine, sizeof mine, ep.options, sizeof ep.options) < 0)
		return 0;
	return impair_attach(&d->udp, &ep);
}

void rdt_driver_free(struct rdt_driver *d)
{
	int saved = errno;

	if (!d)
		return;
	while (d->chans) {
		struct rdt_chan *c = d->chans;
		rdt_demux_unlink(d, c);
		rdt_chan_free(c);
	}
	sock_close(&d->udp);
	for (int i = 0; i < 2; i++)
		if (d->acc[i] >= 0)
			sys_close(d->acc[i]);
	peer_table_free(&d->peers);
	free(d->in);
	free(d->out);
	free(d);
	errno = saved;
}

void rdt_driver_release(struct rdt_driver *d)
{
	if (--d->refs > 0) {
		rdt_hub_wake();
		rdt_unlock();
		return;
	}
	d->linger_at = rdt_now() + RDT_LINGER_MS * 1000LL;
	for (struct rdt_chan *c = d->chans; c; c = c->next)
		rdt_chan_touch(c);
	rdt_hub_wake();
	/* Bounded: the thread resets what is left at linger_at. A copy in a child of fork() has no thread. */
	while (d->hubbed && !d->forked && rdt_hub_wait(-1) == 0)
		;
	if (!d->forked)
		rdt_hub_settle(); /* the last socket gone: no thread of rdt's is left either */
	rdt_unlock();
	rdt_driver_free(d);
}
