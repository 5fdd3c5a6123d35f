/* trace.c - hand each narrated socket call to the program's sink, or to nobody. */
#include "trace.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#ifdef __linux__
#include <arpa/inet.h>
#include <linux/if_ether.h> /* ETH_P_ALL */
#endif

#include "core/errors.h"

_Atomic int trace_on;
/* The sink and its context change together, and a line is handed over whole: one lock for both. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static trace_sink_fn *sink;
static void *sink_ctx;
static _Thread_local int muted;

void trace_set_sink(trace_sink_fn *fn, void *ctx)
{
	pthread_mutex_lock(&sink_lock);
	sink = fn;
	sink_ctx = ctx;
	trace_on = fn != NULL;
	pthread_mutex_unlock(&sink_lock);
}

int trace_mute(int on)
{
	int was = muted;

	muted = on;
	return was;
}

void trace_line(const char *fmt, ...)
{
	char line[512];
	int saved = errno;
	va_list ap;

	if (!trace_on || muted)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&sink_lock);
	if (sink)
		sink(line, sink_ctx);
	pthread_mutex_unlock(&sink_lock);
	errno = saved;
}

const char *trace_family_name(int family)
{
	static _Thread_local char other[16];

	switch (family) {
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_UNIX: return "AF_UNIX";
	case AF_UNSPEC: return "AF_UNSPEC";
#ifdef AF_NETLINK
	case AF_NETLINK: return "AF_NETLINK"; /* rtnetlink: socklab multicast makes its veth pair with it */
#endif
#ifdef AF_PACKET
	case AF_PACKET: return "AF_PACKET";
#endif
	}
	snprintf(other, sizeof other, "%d", family);
	return other;
}

const char *trace_type_name(int type)
{
	static _Thread_local char other[16];

	switch (type) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_RAW: return "SOCK_RAW";
	}
	snprintf(other, sizeof other, "%d", type);
	return other;
}

const char *trace_result(long r, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "= %ld", r);
	else
		snprintf(buf, len, "= -1 %s (%s)", errno_name(errno), errno_text(errno));
	return buf;
}

const char *trace_protocol_name(int domain, int protocol)
{
	static _Thread_local char other[16];

#ifdef __linux__
	/* A packet socket's protocol is an EtherType in network byte order (packet(7)). */
	if (domain == AF_PACKET && protocol == htons(ETH_P_ALL))
		return "htons(ETH_P_ALL)";
#else
	(void)domain;
#endif
	snprintf(other, sizeof other, "%d", protocol);
	return other;
}
