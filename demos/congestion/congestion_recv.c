/* congestion_recv.c - the receiver: a child process in the receiver's namespace that reads every flow and counts it. */
#include "congestion_recv.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/sys/trace.h"
#include "transports/endpoint.h"
#include "congestion_exec.h"

#define RECV_BUF 65536
#define READY_MS 10000 /* the most the receiver may take to say where it listens */

struct conn {
	struct sock s;  /* accepted through the transport's table: kernel TCP or rdt */
	int port;       /* the sender's port: which flow this is */
	uint64_t bytes; /* read by the deadline */
};

/* Writes all of text to fd, or exits: the parent notices a short report. */
static void say(int fd, const char *text)
{
	size_t len = strlen(text);

	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		done += (size_t)n;
	}
}

/* Writes "PORT BYTES" per connection to fd. */
static void report(int fd, const struct conn *c, int n)
{
	char line[64];

	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof line, "%d %llu\n", c[i].port, (unsigned long long)c[i].bytes);
		say(fd, line);
	}
}

/* Takes one connection waiting on l into c[*n]. */
static void take(struct sock *l, struct conn *c, int *n)
{
	sock_init(&c[*n].s);
	if (sock_accept(l, &c[*n].s) < 0)
		return;
	c[*n].port = addr_port(&c[*n].s.peer);
	c[*n].bytes = 0;
	(*n)++;
}

/* The child's loop: accept, read, count; report and exit when the stop pipe closes. Never returns. */
static void serve(struct sock *l, int stop, int out, long long end_us)
{
	static char buf[RECV_BUF];
	struct conn c[CONGESTION_MAX_FLOWS];
	struct pollfd p[CONGESTION_MAX_FLOWS + 2];
	int n = 0;

	for (;;) {
		int np = 0;
		p[np++] = (struct pollfd){ .fd = stop, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = n < CONGESTION_MAX_FLOWS ? l->fd : -1, .events = POLLIN };
		for (int i = 0; i < n; i++)
			p[np++] = (struct pollfd){ .fd = c[i].s.fd, .events = POLLIN };
		if (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[0].revents) {
			/* A flow still in the accept queue (a busy machine) is reported too: it read nothing in time. */
			struct pollfd q = { .fd = l->fd, .events = POLLIN };
			while (n < CONGESTION_MAX_FLOWS && poll(&q, 1, 0) == 1) {
				int had = n;
				take(l, c, &n);
				if (n == had)
					break;
			}
			report(out, c, n);
			_exit(0);
		}
		if (p[1].revents & POLLIN)
			take(l, c, &n);
		for (int i = 0; i < n; i++) {
			if (c[i].s.fd < 0 || !p[i + 2].revents)
				continue;
			ssize_t got = sock_recv(&c[i].s, buf, sizeof buf, NULL);
			if (got > 0 && congestion_now_us() <= end_us)
				c[i].bytes += (uint64_t)got;
			else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
				sock_close(&c[i].s); /* the sender's end (TCP: its reset): what was read is the count */
		}
	}
}

/*
 * The child, in the receiver's namespace: listens on the kind's receiver
 * endpoint (port 0: the kernel picks), says "PORT\n" on out, then serves.
 * Untraced: its calls are the receiver's, not the sender's the trace shows.
 * Never returns.
 */
static void receive(const struct congestion_net *net, const struct congestion_kind *kind, int stop, int out,
		    long long end_us)
{
	char text[ENDPOINT_TEXT_MAX], why[256], line[32];
	struct endpoint ep;
	struct sock l;
	struct addr a;
	int gai = 0;

	trace_set_sink(NULL, NULL); /* this process's own: rdt's protocol thread here too */
	sock_init(&l);
	snprintf(text, sizeof text, kind->receiver, CONGESTION_RECEIVER_ADDR);
	if (congestion_net_enter(net, NET_RECEIVER) < 0 || endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) < 0 ||
	    sock_listen_endpoint(&l, &ep, CONGESTION_MAX_FLOWS, &gai) < 0 || sock_getname(&l, &a) < 0)
		_exit(1);
	snprintf(line, sizeof line, "%d\n", addr_port(&a));
	say(out, line);
	serve(&l, stop, out, end_us);
}

/* The receiver's first line: the port it listens on. Waits at most READY_MS. Returns it, or -1 with errno. */
static int ready(int fd)
{
	char line[32];
	size_t got = 0;
	long long until = congestion_now_us() + READY_MS * 1000LL;

	while (got + 1 < sizeof line) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = until - congestion_now_us();
		int r = left > 0 ? poll(&p, 1, (int)((left + 999) / 1000)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return errno = r == 0 ? ETIMEDOUT : errno, -1;
		ssize_t n = read(fd, line + got, 1); /* one byte at a time: the counts that follow are collect's */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return errno = n == 0 ? ECHILD : errno, -1; /* it exited: it could not listen */
		if (line[got++] == '\n')
			break;
	}
	line[got] = '\0';
	int port = atoi(line);
	return port > 0 && port < 65536 ? port : (errno = EPROTO, -1);
}

pid_t congestion_receiver_start(const struct congestion_net *net, const struct congestion_kind *kind, long long end_us,
				int *port, int *report_fd, int *stop_fd)
{
	int stop[2], out[2];

	if (congestion_pipe(stop) < 0)
		return -1;
	if (congestion_pipe(out) < 0) {
		int saved = errno;
		close(stop[0]);
		close(stop[1]);
		errno = saved;
		return -1;
	}
	pid_t pid = congestion_fork();
	if (pid == 0) {
		close(stop[1]);
		close(out[0]);
		receive(net, kind, stop[0], out[1], end_us);
	}
	int saved = errno;
	close(stop[0]);
	close(out[1]);
	if (pid < 0 || (*port = ready(out[0])) < 0) {
		saved = errno;
		if (pid > 0)
			congestion_reap(pid);
		close(stop[1]);
		close(out[0]);
		errno = saved;
		return -1;
	}
	*report_fd = out[0];
	*stop_fd = stop[1];
	return pid;
}

int congestion_receiver_collect(pid_t pid, int report_fd, int stop_fd, struct congestion_run *run)
{
	char buf[1024];
	size_t got = 0;
	int status = 0, found = 0;

	close(stop_fd);
	for (ssize_t n; got + 1 < sizeof buf && (n = read(report_fd, buf + got, sizeof buf - 1 - got)) != 0;)
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			break;
	buf[got] = '\0';
	close(report_fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (char *line = buf, *next; *line; line = next) {
		int port;
		unsigned long long bytes;
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%d %llu", &port, &bytes) != 2)
			continue;
		for (int i = 0; i < run->nflows; i++)
			if (run->flow[i].port == port) {
				run->flow[i].bytes_received = bytes;
				found++;
			}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || found < run->nflows) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}
