/* sys_io.c - the traced wrappers that move data and wait: send, recv, sendto, poll, and the clock. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sys_private.h"
#include "trace.h"


ssize_t sys_send(int fd, const void *buf, size_t len)
{
	char res[96];
	ssize_t r;

	do
		r = send(fd, buf, len, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("send(%d, %zu %s) %s", fd, BYTES(len), RESULT(r));
	return r;
}

ssize_t sys_recv(int fd, void *buf, size_t len, int flags)
{
	char res[96];
	ssize_t r;

	do
		r = recv(fd, buf, len, flags);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("recv(%d, %zu %s%s) %s%s", fd, BYTES(len), flags & MSG_PEEK ? ", MSG_PEEK" : "", RESULT(r),
			   r == 0 ? " (end of stream)" : "");
	return r;
}

ssize_t sys_sendto(int fd, const void *buf, size_t len, const struct addr *to)
{
	char res[96], text[ADDR_TEXT_MAX];
	ssize_t r;

	do
		r = sendto(fd, buf, len, SEND_FLAGS, to ? (const struct sockaddr *)&to->ss : NULL, to ? to->len : 0);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("sendto(%d, %zu %s, %s) %s", fd, BYTES(len),
			   to ? addr_format(to, text, sizeof text) : "(connected peer)", RESULT(r));
	return r;
}

int sys_set_nonblocking(int fd, int on)
{
	char res[96];
	int flags = fcntl(fd, F_GETFL);
	int r = flags < 0 ? -1 : fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);

	if (trace_on)
		trace_line("fcntl(%d, F_SETFL, %sO_NONBLOCK) %s", fd, on ? "" : "~", RESULT(r));
	return r;
}

int sys_set_recv_timeout(int fd, int timeout_ms)
{
	char res[96];
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	int r = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	if (trace_on)
		trace_line("setsockopt(%d, SOL_SOCKET, SO_RCVTIMEO, %d.%03d s) %s", fd, timeout_ms / 1000, timeout_ms % 1000,
			   RESULT(r));
	return r;
}

int sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	char res[96];
	int r = poll(fds, n, timeout_ms);

	if (trace_on)
		trace_line("poll(%lu fds, timeout %d ms) %s", (unsigned long)n, timeout_ms, RESULT(r));
	return r;
}

long long sys_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sys_sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int sys_wait(int fd, int for_write, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : sys_now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = for_write ? POLLOUT : POLLIN };

	for (;;) {
		int left = -1;
		if (deadline >= 0) {
			long long l = deadline - sys_now_ms();
			left = l < 0 ? 0 : (int)l;
		}
		int r = sys_poll(&p, 1, left);
		if (r >= 0)
			return r > 0 ? 1 : 0;
		if (errno != EINTR)
			return -1;
	}
}

int sys_nap_ms(long long ms, const volatile sig_atomic_t *stop)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	if (ms <= 0)
		return 0;
	if (stop) { /* slices of 20 ms: a thread that blocks signals (rdt's) still sees stop, set by another's handler */
		for (long long end = sys_now_ms() + ms, left = ms; left > 0; left = end - sys_now_ms()) {
			if (*stop)
				return -1;
			long long n = left < 20 ? left : 20;
			struct timespec slice = { .tv_sec = 0, .tv_nsec = (long)n * 1000000L };
			if (nanosleep(&slice, NULL) < 0 && errno != EINTR)
				return 0;
		}
		return *stop ? -1 : 0;
	}
	for (;;) {
		if (nanosleep(&ts, &ts) == 0 || errno != EINTR)
			return 0;
	}
}

int sys_get_recv_timeout(int fd)
{
	char res[96];
	struct timeval tv = { 0 };
	socklen_t len = sizeof tv;
	int r = getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
	long long ms = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;

	if (trace_on)
		trace_line("getsockopt(%d, SOL_SOCKET, SO_RCVTIMEO) %s, %lld.%03lld s", fd, RESULT(r), ms / 1000, ms % 1000);
	if (r < 0)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}
