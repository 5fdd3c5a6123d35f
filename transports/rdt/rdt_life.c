/* rdt_life.c - the lives of rdt's drivers: made, given a thread, released by the last socket; and the process's exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rdt_sock.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "transports/endpoint.h"
#include "transports/impair/impair.h"

/* Every driver whose thread runs, so that the process's exit can close their connections first. */
static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t life_cond = PTHREAD_COND_INITIALIZER;
static struct rdt_driver *live;
static unsigned nlive;
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
 * closes a process's sockets, and the threads get RDT_LINGER_MS to finish
 * the close handshakes; then they reset what is left and end.
 */
static void at_exit(void)
{
	long long until = rdt_now() + RDT_LINGER_MS * 1000LL;
	struct timespec ts;

	pthread_mutex_lock(&life_lock);
	for (struct rdt_driver *d = live; d; d = d->live_next) {
		pthread_mutex_lock(&d->lock);
		d->stopping = 1;
		if (!d->linger_at || d->linger_at > until)
			d->linger_at = until;
		rdt_driver_wake(d);
		pthread_mutex_unlock(&d->lock);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += RDT_LINGER_MS / 1000 + 1; /* the threads end by themselves at until: this is a backstop */
	while (nlive > 0)
		if (pthread_cond_timedwait(&life_cond, &life_lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&life_lock);
}

/* A child of fork() has none of its parent's threads: it must not wait for them. */
static void before_fork(void) { pthread_mutex_lock(&life_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&life_lock); }
static void after_fork_child(void)
{
	live = NULL;
	nlive = 0;
	pthread_mutex_unlock(&life_lock);
}

static void life_init(void)
{
	atexit(at_exit);
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

struct rdt_driver *rdt_driver_new(const char *options, int listener)
{
	char mine[256], rest[256], why[160];
	struct rdt_driver *d = calloc(1, sizeof *d);

	pthread_once(&life_once, life_init);
	if (!d)
		return NULL;
	sock_init(&d->udp);
	d->wake[0] = d->wake[1] = d->acc[0] = d->acc[1] = -1;
	d->listener = listener;
	peer_table_init(&d->peers);
	if (rdt_options_split(options ? options : "", mine, sizeof mine, rest, sizeof rest) < 0 ||
	    rdt_config_parse(mine, &d->cfg, why, sizeof why) < 0) {
		free(d);
		errno = EINVAL; /* endpoint_parse() said why already */
		return NULL;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->dgram_max = RDT_HEADER_SIZE + (d->cfg.payload > RDT_SYN_OPTIONS ? d->cfg.payload : RDT_SYN_OPTIONS);
	d->in = malloc(d->dgram_max + 1); /* one byte more: a longer datagram shows as truncated */
	d->out = malloc(d->dgram_max);
	/* The wake-up pipe is socklab's plumbing, not a call the program made: not traced. */
	if (!d->in || !d->out || pipe(d->wake) < 0 || fcntl(d->wake[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(d->wake[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(d->wake[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(d->wake[1], F_SETFD, FD_CLOEXEC) < 0) {
		rdt_driver_free(d);
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
	for (int i = 0; i < 2; i++) {
		if (d->wake[i] >= 0)
			close(d->wake[i]);
		if (d->acc[i] >= 0)
			sys_close(d->acc[i]);
	}
	peer_table_free(&d->peers);
	pthread_mutex_destroy(&d->lock);
	free(d->pfd);
	free(d->pchan);
	free(d->in);
	free(d->out);
	free(d);
	errno = saved;
}

void rdt_driver_wake(struct rdt_driver *d)
{
	char b = 1;

	if (d->running && write(d->wake[1], &b, 1) < 0) {
		/* Full: a wake-up is pending already, which is all a wake-up is. */
	}
}

/* Takes d off the list of drivers with a thread. Under life_lock. */
static void unlist(struct rdt_driver *d)
{
	if (d->live_prev)
		d->live_prev->live_next = d->live_next;
	else
		live = d->live_next;
	if (d->live_next)
		d->live_next->live_prev = d->live_prev;
	d->live_next = d->live_prev = NULL;
}

/* The thread: the driver's loop until nothing is left; whoever dropped the last reference joins it and frees d. */
static void *thread_main(void *arg)
{
	struct rdt_driver *d = arg;

	rdt_driver_main(d);
	pthread_mutex_lock(&life_lock);
	unlist(d);
	nlive--;
	pthread_cond_broadcast(&life_cond);
	pthread_mutex_unlock(&life_lock);
	return NULL;
}

int rdt_driver_start(struct rdt_driver *d)
{
	sigset_t all, old;

	if (d->running)
		return 0;
	d->running = 1;
	pthread_mutex_lock(&life_lock);
	d->live_next = live;
	if (live)
		live->live_prev = d;
	live = d;
	nlive++;
	pthread_mutex_unlock(&life_lock);
	/* Signals are the application's: the protocol thread never takes one (it inherits this mask). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&d->thread, NULL, thread_main, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		return 0;
	pthread_mutex_lock(&life_lock);
	unlist(d);
	nlive--;
	pthread_mutex_unlock(&life_lock);
	d->running = 0;
	errno = err;
	return -1;
}

void rdt_driver_release(struct rdt_driver *d)
{
	pthread_mutex_lock(&d->lock);
	int last = --d->refs == 0;
	if (last)
		d->linger_at = rdt_now() + RDT_LINGER_MS * 1000LL;
	rdt_driver_wake(d);
	int running = d->running;
	pthread_mutex_unlock(&d->lock);
	if (!last)
		return;
	if (running)
		pthread_join(d->thread, NULL); /* bounded: the thread resets what is left at linger_at */
	rdt_driver_free(d);
}
