/* poller.h - wait for many sockets at once: poll(2) everywhere, epoll(7) on Linux, one interface. */
#ifndef SOCKLAB_POLLER_H
#define SOCKLAB_POLLER_H

/* What to wait for, and what happened. */
enum {
	POLLER_IN = 1u << 0,  /* readable: data, a connection to accept, or the end of a stream */
	POLLER_OUT = 1u << 1, /* writable: the send buffer has room */
	POLLER_ERR = 1u << 2, /* an error or a hang-up (always reported, never asked for) */
};

enum poller_kind {
	POLLER_DEFAULT, /* the best this platform has: epoll on Linux, else poll */
	POLLER_POLL,    /* poll(2): portable; each wait scans every descriptor */
	POLLER_EPOLL,   /* epoll(7): Linux; a wait costs what is ready, not what is watched */
};

struct poller_event {
	int fd;
	unsigned events;
};

struct poller;

/* A new, empty poller of the given kind. NULL with errno (ENOSYS: epoll asked for where there is none). */
struct poller *poller_new(enum poller_kind kind);
/* Frees p (NULL is fine); the descriptors it watched stay open. */
void poller_free(struct poller *p);
/* "poll" or "epoll". */
const char *poller_name(const struct poller *p);

/* Watch fd for events (POLLER_IN and/or POLLER_OUT). 0 or -1 with errno. */
int poller_add(struct poller *p, int fd, unsigned events);
/* Change what fd is watched for. */
int poller_mod(struct poller *p, int fd, unsigned events);
/* Stop watching fd. Call before closing it. */
int poller_del(struct poller *p, int fd);

/*
 * Waits up to timeout_ms (-1: no limit) and fills at most max events.
 * Returns how many, 0 on timeout, or -1 with errno; -1 EINTR when a signal
 * arrived, so that the caller can look at what the signal handler set.
 */
int poller_wait(struct poller *p, struct poller_event *out, int max, int timeout_ms);

#endif
