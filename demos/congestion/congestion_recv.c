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

#include "congestion_exec.h"

#define RECV_BUF 65536

struct conn {
	int fd;
	int port;       /* the sender's port: which flow this is */
	uint64_t bytes; /* read by the deadline */
};

/* The peer's port of an accepted IPv4 or IPv6 socket. */
static int peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : -1;
}

/* Writes "PORT BYTES" per connection to fd; errors are the parent's to notice (a short report). */
static void report(int fd, const struct conn *c, int n)
{
	char line[64];

	for (int i = 0; i < n; i++) {
		int len = snprintf(line, sizeof line, "%d %llu\n", c[i].port, (unsigned long long)c[i].bytes);
		if (write(fd, line, (size_t)len) != len)
			return;
	}
}

/* The child's loop: accept, read, count; report and exit when the stop pipe closes. Never returns. */
static void serve(int lfd, int stop, int out, long long end_us)
{
	static char buf[RECV_BUF];
	struct conn c[CONGESTION_MAX_FLOWS];
	struct pollfd p[CONGESTION_MAX_FLOWS + 2];
	int n = 0;

	for (;;) {
		int np = 0;
		p[np++] = (struct pollfd){ .fd = stop, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = n < CONGESTION_MAX_FLOWS ? lfd : -1, .events = POLLIN };
		for (int i = 0; i < n; i++)
			p[np++] = (struct pollfd){ .fd = c[i].fd, .events = POLLIN };
		if (poll(p, (nfds_t)np, -1) < 0 && errno != EINTR)
			_exit(1);
		if (p[0].revents) {
			/* A flow still in the accept queue (a busy machine) is reported too: it read nothing in time. */
			struct pollfd q = { .fd = lfd, .events = POLLIN };
			while (n < CONGESTION_MAX_FLOWS && poll(&q, 1, 0) == 1) {
				int fd = accept(lfd, NULL, NULL);
				if (fd < 0)
					break;
				c[n++] = (struct conn){ fd, peer_port(fd), 0 };
			}
			report(out, c, n);
			_exit(0);
		}
		if (p[1].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);
			if (fd >= 0)
				c[n++] = (struct conn){ fd, peer_port(fd), 0 };
		}
		for (int i = 0; i < n; i++) {
			if (c[i].fd < 0 || !p[i + 2].revents)
				continue;
			ssize_t got = recv(c[i].fd, buf, sizeof buf, MSG_DONTWAIT);
			if (got > 0 && congestion_now_us() <= end_us)
				c[i].bytes += (uint64_t)got;
			else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				close(c[i].fd); /* the sender's reset at the end: what was read is the count */
				c[i].fd = -1;
			}
		}
	}
}

pid_t congestion_receiver_start(const struct congestion_net *net, int lfd, long long end_us, int *report_fd,
				int *stop_fd)
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
		/* It lives where its sockets are: the receiver's namespace, across the bottleneck from the sender. */
		if (congestion_net_enter(net, NET_RECEIVER) < 0)
			_exit(1);
		serve(lfd, stop[0], out[1], end_us);
	}
	int saved = errno;
	close(stop[0]);
	close(out[1]);
	if (pid < 0) {
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
