/* sys_packet.c - a packet socket's receive with the kernel's timestamp, and its counters; traced like every call. */
#include "sys_packet.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "trace.h"

#ifdef __linux__
#include <linux/if_packet.h> /* PACKET_STATISTICS, struct tpacket_stats */

ssize_t sys_recv_frame(int fd, void *buf, size_t len, struct addr *from, size_t *wirelen, struct timespec *ts)
{
	char text[ADDR_TEXT_MAX], res[96];
	union { /* aligned room for the one control message asked for */
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &from->ss, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	do {
		msg.msg_namelen = sizeof from->ss;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		msg.msg_flags = 0;
		/* MSG_TRUNC on a packet socket: return the frame's real length even when buf is shorter. */
		r = recvmsg(fd, &msg, MSG_TRUNC);
	} while (r < 0 && errno == EINTR);
	from->len = r >= 0 ? msg.msg_namelen : 0;
	memset(ts, 0, sizeof *ts);
	if (r >= 0) {
		*wirelen = (size_t)r;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof *ts))
				memcpy(ts, CMSG_DATA(c), sizeof *ts);
		if (ts->tv_sec == 0 && ts->tv_nsec == 0)
			clock_gettime(CLOCK_REALTIME, ts);
	}
	if (trace_on)
		trace_line("recvmsg(%d, %zu bytes, MSG_TRUNC) %s%s%s", fd, len, trace_result((long)r, res, sizeof res),
			   r >= 0 ? ", from " : "", r >= 0 ? addr_format(from, text, sizeof text) : "");
	if (r > (ssize_t)len)
		r = (ssize_t)len;
	return r;
}

int sys_packet_stats(int fd, unsigned *frames, unsigned *drops)
{
	struct tpacket_stats st = { 0 };
	socklen_t len = sizeof st;
	char res[96];
	int r = getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len);

	if (r == 0) {
		*frames = st.tp_packets;
		*drops = st.tp_drops;
	}
	if (trace_on && r == 0)
		trace_line("getsockopt(%d, SOL_PACKET, PACKET_STATISTICS) = 0, %u frames, %u dropped", fd, st.tp_packets,
			   st.tp_drops);
	else if (trace_on)
		trace_line("getsockopt(%d, SOL_PACKET, PACKET_STATISTICS) %s", fd, trace_result(r, res, sizeof res));
	return r;
}

#else /* no packet sockets */

ssize_t sys_recv_frame(int fd, void *buf, size_t len, struct addr *from, size_t *wirelen, struct timespec *ts)
{
	(void)fd, (void)buf, (void)len, (void)from, (void)wirelen, (void)ts;
	errno = ENOSYS;
	return -1;
}

int sys_packet_stats(int fd, unsigned *frames, unsigned *drops)
{
	(void)fd, (void)frames, (void)drops;
	errno = ENOSYS;
	return -1;
}

#endif
