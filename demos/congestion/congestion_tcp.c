/* congestion_tcp.c - the kernel TCP kind of flow: TCP_CONGESTION to choose, send to keep it busy, TCP_INFO to read it. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "congestion.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <linux/tcp.h> /* struct tcp_info with every field this kernel fills; TCP_CONGESTION, TCP_INFO */
#include <netinet/in.h>

#define CHUNK 65536 /* what one send() offers: the flow always has more to send than the window takes */

/*
 * socket(), setsockopt(TCP_CONGESTION) and a nonblocking connect(). Without
 * CAP_NET_ADMIN only the algorithms in tcp_allowed_congestion_control may be
 * set (EPERM); one not in the kernel is ENOENT (tcp(7)). Traced.
 */
static int tcp_flow_open(struct congestion_flow *f, const char *cc, const char *host, int port)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in me;
	socklen_t len = sizeof me;

	if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	f->fd = sys_socket(AF_INET, SOCK_STREAM, 0);
	if (f->fd < 0)
		return -1;
	if (setsockopt(f->fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc)) < 0 ||
	    sys_set_nonblocking(f->fd, 1) < 0)
		goto fail;
	if (connect(f->fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS)
		goto fail;
	if (getsockname(f->fd, (struct sockaddr *)&me, &len) < 0)
		goto fail;
	f->port = ntohs(me.sin_port);
	return 0;
fail:;
	int saved = errno;
	sys_close(f->fd);
	f->fd = -1;
	errno = saved;
	return -1;
}

/* send() until the socket buffer is full. Not traced: thousands of calls a second would drown the trace. */
static int tcp_flow_pump(struct congestion_flow *f)
{
	static const char zeros[CHUNK];

	for (;;) {
		ssize_t n = send(f->fd, zeros, sizeof zeros, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
}

/* getsockopt(TCP_INFO): the sender's own state, as the kernel keeps it (tcp(7), include/uapi/linux/tcp.h). */
static int tcp_flow_sample(struct congestion_flow *f, struct congestion_sample *s)
{
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(f->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	s->cwnd = ti.tcpi_snd_cwnd;
	s->ssthresh = ti.tcpi_snd_ssthresh >= CONGESTION_NO_SSTHRESH ? CONGESTION_NO_SSTHRESH : ti.tcpi_snd_ssthresh;
	s->rtt_us = ti.tcpi_rtt;
	s->rttvar_us = ti.tcpi_rttvar;
	s->retrans = ti.tcpi_total_retrans;
	s->segs_out = ti.tcpi_data_segs_out;
	s->delivery_bps = ti.tcpi_delivery_rate * 8;
	s->ca_state = ti.tcpi_ca_state;
	f->mss = ti.tcpi_snd_mss;
	f->min_rtt_us = ti.tcpi_min_rtt;
	return 0;
}

/* SO_LINGER 0, then close(): a reset, so that the flow ends now and not when its buffer has drained. */
static void tcp_flow_close(struct congestion_flow *f)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };

	if (f->fd < 0)
		return;
	setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
	sys_close(f->fd);
	f->fd = -1;
}

#else /* no TCP_INFO of this shape elsewhere */

static int tcp_flow_open(struct congestion_flow *f, const char *cc, const char *host, int port)
{
	(void)f, (void)cc, (void)host, (void)port;
	errno = ENOSYS;
	return -1;
}

static int tcp_flow_pump(struct congestion_flow *f)
{
	(void)f;
	errno = ENOSYS;
	return -1;
}

static int tcp_flow_sample(struct congestion_flow *f, struct congestion_sample *s)
{
	(void)f, (void)s;
	errno = ENOSYS;
	return -1;
}

static void tcp_flow_close(struct congestion_flow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

#endif

const struct congestion_kind congestion_tcp_kind = {
	.name = "kernel tcp",
	.source = "TCP_INFO",
	.label = NULL, /* the legend and the figures name TCP_INFO's fields */
	.unit = "segments",
	.receiver = "tcp://%s:0",
	.legend = "* cwnd  - ssthresh (in segments)  ^ the kernel retransmitted in that column\n"
		  "phase (tcpi_ca_state, then cwnd against ssthresh): S slow start, A congestion\n"
		  "avoidance, R fast recovery, L timeout (RTO), C cwnd reduced (CWR), o open (bbr)\n",
	.figures = "goodput: bytes the receiver read x 8 / the flow's time; retransmitted: tcpi_total_retrans\n"
		   "of tcpi_data_segs_out; RTT: tcpi_min_rtt / the mean of the sampled tcpi_rtt\n",
	.has_delivery_rate = 1,
	.open = tcp_flow_open,
	.pump = tcp_flow_pump,
	.sample = tcp_flow_sample,
	.close = tcp_flow_close,
};
