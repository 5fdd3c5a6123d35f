/* rdt_hub.c - rdt's one protocol thread: one wait for every descriptor of every rdt socket, then the drivers concerned. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rdt_sock.h"
#include "core/sys/trace.h"

/*
 * The thread starts with the first driver and ends with the last, so that a
 * process with no rdt socket has no thread and no descriptor of rdt's. Its
 * poller watches a wake-up pipe (the application's calls write to it), every
 * driver's UDP socket and every pair; its calls are plumbing, not calls the
 * program made, and are not traced.
 */
struct hub_ref {
	struct rdt_driver *d;
	struct rdt_chan *c; /* NULL: d's UDP socket */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t round;     /* broadcast after every round: dial and release wait on it */
	pthread_t thread;
	int running, joinable, quit;
	struct poller *poller;
	int wake[2];
	struct rdt_driver *drivers;
	struct hub_ref *by_fd;
	int nby_fd;
} hub = { .lock = PTHREAD_MUTEX_INITIALIZER, .round = PTHREAD_COND_INITIALIZER, .wake = { -1, -1 } };

void rdt_lock(void) { pthread_mutex_lock(&hub.lock); }
void rdt_unlock(void) { pthread_mutex_unlock(&hub.lock); }

void rdt_hub_wake(void)
{
	char b = 1;

	if (hub.running && write(hub.wake[1], &b, 1) < 0) {
		/* Full: a wake-up is pending already, which is all a wake-up is. */
	}
}

int rdt_hub_wait(long long deadline)
{
	struct timespec ts;

	if (deadline < 0)
		return pthread_cond_wait(&hub.round, &hub.lock) == 0 ? 0 : -1;
	long long left = deadline - rdt_now();
	if (left <= 0)
		return errno = ETIMEDOUT, -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(left / 1000000);
	ts.tv_nsec += (long)(left % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int r = pthread_cond_timedwait(&hub.round, &hub.lock, &ts);
	return r == 0 ? 0 : (errno = r, -1);
}

int rdt_hub_watch(int fd, unsigned events, struct rdt_driver *d, struct rdt_chan *c)
{
	if (fd >= hub.nby_fd) {
		int n = hub.nby_fd ? hub.nby_fd : 64;
		while (n <= fd)
			n *= 2;
		struct hub_ref *b = realloc(hub.by_fd, (size_t)n * sizeof *b);
		if (!b)
			return -1;
		for (int i = hub.nby_fd; i < n; i++)
			b[i] = (struct hub_ref){ 0 };
		hub.by_fd = b;
		hub.nby_fd = n;
	}
	int was = trace_mute(1);
	int r = hub.by_fd[fd].d ? poller_mod(hub.poller, fd, events) : poller_add(hub.poller, fd, events);
	trace_mute(was);
	if (r == 0)
		hub.by_fd[fd] = (struct hub_ref){ .d = d, .c = c };
	return r;
}

void rdt_hub_unwatch(int fd)
{
	if (fd < 0 || fd >= hub.nby_fd || !hub.by_fd[fd].d)
		return;
	int was = trace_mute(1);
	(void)poller_del(hub.poller, fd);
	trace_mute(was);
	hub.by_fd[fd] = (struct hub_ref){ 0 };
}

/* Takes d out of the thread's list, its UDP socket unwatched: the last reference's holder frees it. */
static void retire(struct rdt_driver *d)
{
	rdt_hub_unwatch(d->udp.fd);
	if (d->hub_prev)
		d->hub_prev->hub_next = d->hub_next;
	else
		hub.drivers = d->hub_next;
	if (d->hub_next)
		d->hub_next->hub_prev = d->hub_prev;
	d->hub_next = d->hub_prev = NULL;
	d->hubbed = 0;
	d->retired = 1;
}

/* One round: every driver's due connections moved, the finished drivers retired. Returns the next timer (us). */
static long long run_all(long long now)
{
	long long next = -1;

	for (struct rdt_driver *d = hub.drivers, *n; d; d = n) {
		n = d->hub_next;
		long long w = rdt_driver_run(d, now);
		if (rdt_driver_done(d)) {
			retire(d);
			continue;
		}
		if (w >= 0 && (next < 0 || w < next))
			next = w;
	}
	return next;
}

/* The events of one wait: the pipe drained, the UDP sockets read, the pairs' connections marked to move. */
static void dispatch(const struct poller_event *ev, int n)
{
	long long now = rdt_now();

	for (int i = 0; i < n; i++) {
		int fd = ev[i].fd;
		if (fd == hub.wake[0]) {
			char drain[64];
			while (read(hub.wake[0], drain, sizeof drain) > 0)
				;
		} else if (fd >= 0 && fd < hub.nby_fd && hub.by_fd[fd].d) {
			struct hub_ref r = hub.by_fd[fd];
			if (!r.c) {
				rdt_driver_input(r.d, now);
			} else {
				if (ev[i].events & POLLER_ERR)
					rdt_hub_unwatch(fd); /* the application's end is gone or shut: never again */
				rdt_driver_event(r.d, r.c, (ev[i].events & POLLER_ERR) != 0);
			}
		}
	}
}

/* The poller and the pipe, made with the thread and closed when it ends, so that nothing of rdt's stays open. */
static int hub_open(void)
{
	int was = trace_mute(1);
	hub.poller = poller_new(POLLER_DEFAULT);
	trace_mute(was);
	if (!hub.poller || pipe(hub.wake) < 0 || fcntl(hub.wake[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(hub.wake[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(hub.wake[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(hub.wake[1], F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	was = trace_mute(1);
	int r = poller_add(hub.poller, hub.wake[0], POLLER_IN);
	trace_mute(was);
	return r;
}

static void hub_close(void)
{
	int was = trace_mute(1);
	poller_free(hub.poller);
	trace_mute(was);
	hub.poller = NULL;
	for (int i = 0; i < 2; i++)
		if (hub.wake[i] >= 0)
			close(hub.wake[i]);
	hub.wake[0] = hub.wake[1] = -1;
	free(hub.by_fd);
	rdt_burst_free();
	rdt_pieces_free();
	hub.by_fd = NULL;
	hub.nby_fd = 0;
}

static void *hub_main(void *arg)
{
	struct poller_event ev[RDT_BATCH];

	(void)arg;
	rdt_lock();
	while (!hub.quit && hub.drivers) {
		long long wake = run_all(rdt_now());
		pthread_cond_broadcast(&hub.round);
		if (!hub.drivers)
			break;
		/* Rounded up: an early wake-up costs a round, a late one is what the RTO's granularity allows for. */
		int ms = wake < 0 ? -1 : wake / 1000 >= INT_MAX ? INT_MAX : (int)((wake + 999) / 1000);
		rdt_unlock();
		int was = trace_mute(1);
		int n = poller_wait(hub.poller, ev, RDT_BATCH, ms);
		trace_mute(was);
		rdt_lock();
		dispatch(ev, n);
	}
	hub.running = 0;
	hub_close(); /* nothing of rdt's stays open; the next driver opens them again */
	pthread_cond_broadcast(&hub.round);
	rdt_unlock();
	return NULL;
}

/*
 * The thread that ended last is joined before another starts. Under the lock:
 * once it says it is not running, it needs the lock no more.
 */
static void reap(void)
{
	if (!hub.joinable || hub.running)
		return;
	pthread_join(hub.thread, NULL);
	hub.joinable = 0;
}

int rdt_hub_add(struct rdt_driver *d)
{
	sigset_t all, old;

	reap();
	if (!hub.running && hub_open() < 0) {
		int err = errno;
		hub_close();
		return errno = err, -1;
	}
	if (rdt_hub_watch(d->udp.fd, POLLER_IN, d, NULL) < 0)
		return -1;
	d->hub_next = hub.drivers;
	if (hub.drivers)
		hub.drivers->hub_prev = d;
	hub.drivers = d;
	d->hubbed = 1;
	if (hub.running) {
		rdt_hub_wake();
		return 0;
	}
	/* Signals are the application's: the protocol thread never takes one (it inherits this mask). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	hub.quit = 0;
	int err = pthread_create(&hub.thread, NULL, hub_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0) {
		hub.running = hub.joinable = 1;
		return 0;
	}
	retire(d);
	d->retired = 0;
	hub_close();
	return errno = err, -1;
}

void rdt_hub_settle(void)
{
	if (!hub.drivers && !hub.running)
		reap(); /* it has ended, or is about to return: joined, so that a fork() after this copies no thread of rdt's */
}

void rdt_hub_exit(void)
{
	long long until = rdt_now() + RDT_LINGER_MS * 1000LL;

	rdt_lock();
	for (struct rdt_driver *d = hub.drivers; d; d = d->hub_next) {
		d->stopping = 1;
		if (!d->linger_at || d->linger_at > until)
			d->linger_at = until;
	}
	rdt_hub_wake();
	/* The drivers end by until (their connections reset then); one second more is a backstop. */
	while (hub.running && hub.drivers && rdt_hub_wait(until + 1000000) == 0)
		;
	hub.quit = 1;
	rdt_hub_wake();
	while (hub.running)
		(void)rdt_hub_wait(-1);
	reap();
	rdt_unlock();
}

void rdt_hub_forget(void)
{
	for (struct rdt_driver *d = hub.drivers; d; d = d->hub_next)
		d->forked = 1;
	hub.drivers = NULL;
	hub.running = hub.joinable = 0;
	hub.poller = NULL; /* its descriptor is the child's copy: left open, as the child's other inherited ones */
	hub.wake[0] = hub.wake[1] = -1;
	hub.by_fd = NULL;
	hub.nby_fd = 0;
	pthread_mutex_init(&hub.lock, NULL);
	pthread_cond_init(&hub.round, NULL);
}
