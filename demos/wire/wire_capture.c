/* wire_capture.c - a packet socket on lo: every frame with the kernel's timestamp, each packet once (packet(7)). */
#ifdef __linux__
#define _DEFAULT_SOURCE /* SO_RCVBUFFORCE */
#endif
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "core/sys/sys_packet.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <linux/if_ether.h>   /* ETH_P_ALL */
#include <net/if.h>           /* if_nametoindex */
#include <netpacket/packet.h> /* struct sockaddr_ll, PACKET_OUTGOING */

/* Room for one frame: lo's MTU is 65536, and a segment the kernel has not cut up yet (GSO) can be as large. */
#define FRAME_MAX (256 * 1024)
/* The queue: enough for thousands of small frames while the exchange runs and nobody reads. */
#define QUEUE_BYTES (8 * 1024 * 1024)

int wire_capture_open(struct wire_capture *c, const char *ifname)
{
	struct addr a = { .len = sizeof(struct sockaddr_ll) };
	struct sockaddr_ll *ll = (struct sockaddr_ll *)&a.ss;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	unsigned index = if_nametoindex(ifname);
	if (index == 0)
		return -1;
	if (!(c->buf = malloc(FRAME_MAX)))
		return -1;
	c->fd = sys_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (c->fd < 0)
		goto fail;
	/* The kernel stamps each frame as it passes (SO_TIMESTAMPNS); recvmsg() hands the stamp over. */
	if (sys_setsockopt_int(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, "SO_TIMESTAMPNS", 1) < 0)
		goto fail;
	/* Beyond net.core.rmem_max needs CAP_NET_ADMIN on the host (root); unprivileged, the ordinary limit does. */
	if (sys_setsockopt_int(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, "SO_RCVBUFFORCE", QUEUE_BYTES) < 0 &&
	    sys_setsockopt_int(c->fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", QUEUE_BYTES) < 0)
		goto fail;
	ll->sll_family = AF_PACKET;
	ll->sll_protocol = htons(ETH_P_ALL);
	ll->sll_ifindex = (int)index;
	if (sys_bind(c->fd, &a) < 0 || sys_set_nonblocking(c->fd, 1) < 0)
		goto fail;
	return 0;
fail:;
	int saved = errno;
	wire_capture_close(c);
	errno = saved;
	return -1;
}

/* Keeps one frame (a copy of its bytes). */
static int keep(struct wire_capture *c, const struct timespec *ts, size_t caplen, size_t wirelen)
{
	if (c->n == WIRE_FRAMES_MAX) {
		c->unkept++;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct wire_frame *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	struct wire_frame *f = &c->v[c->n];
	if (!(f->bytes = malloc(caplen ? caplen : 1)))
		return -1;
	memcpy(f->bytes, c->buf, caplen);
	f->ts = *ts;
	f->caplen = (uint32_t)caplen;
	f->wirelen = (uint32_t)wirelen;
	c->n++;
	return 0;
}

int wire_capture_drain(struct wire_capture *c)
{
	for (;;) {
		struct addr from;
		struct timespec ts;
		size_t wirelen;
		ssize_t r = sys_recv_frame(c->fd, c->buf, FRAME_MAX, &from, &wirelen, &ts);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		/*
		 * On lo a packet passes the socket twice: as it goes out (PACKET_OUTGOING) and as
		 * it comes back in (PACKET_HOST). Keep the first: it is queued while the sender
		 * is still sending, so every packet a counter has seen is already here.
		 */
		if (((struct sockaddr_ll *)&from.ss)->sll_pkttype != PACKET_OUTGOING) {
			c->twins++;
			continue;
		}
		if (keep(c, &ts, (size_t)r, wirelen) < 0)
			return -1;
	}
}

int wire_capture_wait(struct wire_capture *c, int ms)
{
	int r = sys_wait(c->fd, 0, ms);

	if (r <= 0)
		return r;
	return wire_capture_drain(c) < 0 ? -1 : 1;
}

int wire_capture_finish(struct wire_capture *c)
{
	unsigned frames, drops;

	if (wire_capture_drain(c) < 0 || sys_packet_stats(c->fd, &frames, &drops) < 0)
		return -1;
	c->dropped += drops;
	return 0;
}

void wire_capture_close(struct wire_capture *c)
{
	if (c->fd >= 0) {
		sys_close(c->fd);
		c->fd = -1;
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].bytes);
	free(c->v);
	free(c->buf);
	c->v = NULL;
	c->buf = NULL;
	c->n = c->cap = 0;
}

#else /* no packet sockets */

int wire_capture_open(struct wire_capture *c, const char *ifname)
{
	(void)ifname;
	memset(c, 0, sizeof *c);
	c->fd = -1;
	errno = ENOSYS;
	return -1;
}

int wire_capture_drain(struct wire_capture *c)
{
	(void)c;
	errno = ENOSYS;
	return -1;
}

int wire_capture_wait(struct wire_capture *c, int ms)
{
	(void)c, (void)ms;
	errno = ENOSYS;
	return -1;
}

int wire_capture_finish(struct wire_capture *c)
{
	(void)c;
	errno = ENOSYS;
	return -1;
}

void wire_capture_close(struct wire_capture *c)
{
	c->fd = -1;
}

#endif
