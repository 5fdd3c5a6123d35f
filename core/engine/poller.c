/* poller.c - the poll(2) poller, portable, and the epoll(7) poller on Linux, behind one interface. */
#include "poller.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#include "core/sys/sys.h"
#include "core/sys/trace.h"

struct poller {
	enum poller_kind kind;
	/* poll: the array poll(2) takes, and where each descriptor sits in it (-1: absent). */
	struct pollfd *fds;
	int nfds, cap;
	int next; /* where the next scan for ready descriptors starts */
	int *slot;
	int nslot;
	/* epoll: the epoll instance. */
	int epfd;
};

static short to_poll(unsigned ev)
{
	return (short)((ev & POLLER_IN ? POLLIN : 0) | (ev & POLLER_OUT ? POLLOUT : 0));
}

static unsigned from_poll(short re)
{
	return (re & POLLIN ? POLLER_IN : 0) | (re & POLLOUT ? POLLER_OUT : 0) |
	       (re & (POLLERR | POLLHUP | POLLNVAL) ? POLLER_ERR : 0);
}

static int grow_slots(struct poller *p, int fd)
{
	if (fd < p->nslot)
		return 0;
	int n = p->nslot ? p->nslot : 64;
	while (n <= fd)
		n *= 2;
	int *s = realloc(p->slot, (size_t)n * sizeof *s);
	if (!s)
		return -1;
	for (int i = p->nslot; i < n; i++)
		s[i] = -1;
	p->slot = s;
	p->nslot = n;
	return 0;
}

static int poll_add(struct poller *p, int fd, unsigned events)
{
	if (grow_slots(p, fd) < 0)
		return -1;
	if (p->slot[fd] >= 0) {
		errno = EEXIST;
		return -1;
	}
	if (p->nfds == p->cap) {
		int cap = p->cap ? p->cap * 2 : 64;
		struct pollfd *f = realloc(p->fds, (size_t)cap * sizeof *f);
		if (!f)
			return -1;
		p->fds = f;
		p->cap = cap;
	}
	p->fds[p->nfds] = (struct pollfd){ .fd = fd, .events = to_poll(events) };
	p->slot[fd] = p->nfds++;
	return 0;
}

static int poll_find(struct poller *p, int fd)
{
	if (fd < 0 || fd >= p->nslot || p->slot[fd] < 0) {
		errno = ENOENT;
		return -1;
	}
	return p->slot[fd];
}

static int poll_del(struct poller *p, int fd)
{
	int i = poll_find(p, fd);
	if (i < 0)
		return -1;
	/* Move the last entry into the hole, so the array stays dense. */
	p->fds[i] = p->fds[--p->nfds];
	p->slot[p->fds[i].fd] = i;
	p->slot[fd] = -1;
	return 0;
}

/*
 * poll(2) says how many descriptors are ready, not which: the array is
 * scanned for them, from where the last scan stopped. Scanning from the start
 * each time would serve the first max ready descriptors again and again and
 * starve the rest whenever more than max are ready.
 */
static int poll_wait(struct poller *p, struct poller_event *out, int max, int timeout_ms)
{
	int r = sys_poll(p->fds, (nfds_t)p->nfds, timeout_ms);
	int n = 0, i = p->next < p->nfds ? p->next : 0;

	for (int k = 0; r > 0 && k < p->nfds && n < max; k++, i = i + 1 < p->nfds ? i + 1 : 0)
		if (p->fds[i].revents) {
			out[n].fd = p->fds[i].fd;
			out[n++].events = from_poll(p->fds[i].revents);
			r--; /* all found: the rest of the array need not be looked at */
		}
	p->next = i;
	return r < 0 ? -1 : n;
}

#ifdef __linux__
static const char *epoll_op_name(int op)
{
	return op == EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : op == EPOLL_CTL_MOD ? "EPOLL_CTL_MOD" : "EPOLL_CTL_DEL";
}

static int epoll_ctl_traced(struct poller *p, int op, int fd, unsigned events)
{
	struct epoll_event ev = { .events = (events & POLLER_IN ? EPOLLIN : 0u) | (events & POLLER_OUT ? EPOLLOUT : 0u),
				  .data.fd = fd };
	int r = epoll_ctl(p->epfd, op, fd, &ev);

	if (trace_on)
		trace_line("epoll_ctl(%d, %s, %d, %s) = %d", p->epfd, epoll_op_name(op), fd,
			   events == (POLLER_IN | POLLER_OUT) ? "EPOLLIN|EPOLLOUT"
			   : events == POLLER_IN		? "EPOLLIN"
			   : events == POLLER_OUT		? "EPOLLOUT"
							: "0",
			   r);
	return r;
}

static int epoll_wait_traced(struct poller *p, struct poller_event *out, int max, int timeout_ms)
{
	struct epoll_event evs[256];
	int r = epoll_wait(p->epfd, evs, max < 256 ? max : 256, timeout_ms);

	if (trace_on)
		trace_line("epoll_wait(%d, timeout %d ms) = %d%s", p->epfd, timeout_ms, r,
			   r < 0 && errno == EINTR ? " EINTR (a signal arrived)" : "");
	for (int i = 0; i < r; i++) {
		out[i].fd = evs[i].data.fd;
		out[i].events = (evs[i].events & EPOLLIN ? POLLER_IN : 0u) | (evs[i].events & EPOLLOUT ? POLLER_OUT : 0u) |
				(evs[i].events & (EPOLLERR | EPOLLHUP) ? POLLER_ERR : 0u);
	}
	return r;
}
#endif

struct poller *poller_new(enum poller_kind kind)
{
#ifdef __linux__
	if (kind == POLLER_DEFAULT)
		kind = POLLER_EPOLL;
#else
	if (kind == POLLER_DEFAULT)
		kind = POLLER_POLL;
	if (kind == POLLER_EPOLL) {
		errno = ENOSYS;
		return NULL;
	}
#endif
	struct poller *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->kind = kind;
	p->epfd = -1;
#ifdef __linux__
	if (kind == POLLER_EPOLL) {
		p->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (trace_on)
			trace_line("epoll_create1(EPOLL_CLOEXEC) = %d", p->epfd);
		if (p->epfd < 0) {
			free(p);
			return NULL;
		}
	}
#endif
	return p;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	if (p->epfd >= 0)
		close(p->epfd);
	free(p->fds);
	free(p->slot);
	free(p);
}

const char *poller_name(const struct poller *p)
{
	return p->kind == POLLER_EPOLL ? "epoll" : "poll";
}

int poller_add(struct poller *p, int fd, unsigned events)
{
#ifdef __linux__
	if (p->kind == POLLER_EPOLL)
		return epoll_ctl_traced(p, EPOLL_CTL_ADD, fd, events);
#endif
	return poll_add(p, fd, events);
}

int poller_mod(struct poller *p, int fd, unsigned events)
{
#ifdef __linux__
	if (p->kind == POLLER_EPOLL)
		return epoll_ctl_traced(p, EPOLL_CTL_MOD, fd, events);
#endif
	int i = poll_find(p, fd);
	if (i < 0)
		return -1;
	p->fds[i].events = to_poll(events);
	return 0;
}

int poller_del(struct poller *p, int fd)
{
#ifdef __linux__
	if (p->kind == POLLER_EPOLL)
		return epoll_ctl_traced(p, EPOLL_CTL_DEL, fd, 0);
#endif
	return poll_del(p, fd);
}

int poller_wait(struct poller *p, struct poller_event *out, int max, int timeout_ms)
{
#ifdef __linux__
	if (p->kind == POLLER_EPOLL)
		return epoll_wait_traced(p, out, max, timeout_ms);
#endif
	return poll_wait(p, out, max, timeout_ms);
}
