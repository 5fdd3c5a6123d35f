/* transfer_cli.c - progress, rates, whole reads and writes, and where data was lost, for socklab send and recv. */
#include "transfer_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "core/transport.h"
#include "demos/counters.h"

#define PROGRESS_EVERY_MS 250

void progress_start(struct progress *p, const char *cmd)
{
	p->on = isatty(STDERR_FILENO);
	p->cmd = cmd;
	p->start_ms = p->last_ms = sys_now_ms();
}

static void draw(struct progress *p, uint64_t bytes)
{
	char timing[64];

	/* "\r" goes back to the start of the line; "\033[K" clears what a longer line left. */
	fprintf(stderr, "\r%s: %llu bytes, %s\033[K", p->cmd, (unsigned long long)bytes,
		transfer_timing(p->start_ms, bytes, timing, sizeof timing));
}

void progress_update(struct progress *p, uint64_t bytes)
{
	long long now;

	if (!p->on || (now = sys_now_ms()) - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	draw(p, bytes);
}

void progress_end(struct progress *p, uint64_t bytes)
{
	if (!p->on)
		return;
	draw(p, bytes);
	fputc('\n', stderr);
}

const char *transfer_timing(long long start_ms, uint64_t bytes, char *out, size_t len)
{
	long long ms = sys_now_ms() - start_ms;
	double s = ms > 0 ? ms / 1000.0 : 0.001;

	snprintf(out, len, "%.3f s, %.1f MB/s", ms / 1000.0, bytes / s / 1e6);
	return out;
}

ssize_t transfer_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int transfer_write_all(int fd, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Where the lost datagrams went, as far as the kernel says: a UDP socket
 * counts what it dropped because its receive buffer was full (/proc/net/udp).
 * Dropped there, the sender outran this reader; dropped elsewhere (a network,
 * a firewall), nobody tells a datagram receiver.
 */
const char *transfer_where_lost(struct sock *s, char *buf, size_t len)
{
	struct addr a;
	long long drops = sock_getname(s, &a) == 0 && !sock_is_reliable(s) ? counters_udp_drops(addr_port(&a)) : -1;

	if (drops > 0)
		snprintf(buf, len, "the kernel dropped %lld at this socket's full receive buffer (/proc/net/udp): the sender "
				   "outran this reader; try 'socklab send --rate' or a larger --rcvbuf", drops);
	else if (drops == 0)
		snprintf(buf, len, "this socket's receive buffer dropped none (/proc/net/udp): they were lost on the way, "
				   "and nothing tells a datagram receiver where");
	else
		snprintf(buf, len, "nothing tells a datagram receiver where they were lost");
	return buf;
}
