/* cli_version.c - socklab --version: the version, then what this build can do, each under the guard of the code that does it. */
#ifdef __linux__
#define _GNU_SOURCE /* as sys_cred.c, sys_pktinfo.c and contrast_kernel.c: SCM_CREDENTIALS, IPV6_PKTINFO, TCP_INFO */
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#ifdef __linux__
#include <netinet/udp.h> /* UDP_SEGMENT, as core/sys/sys_batch.c includes it */
#endif
#include <sys/socket.h>

#include "core/sys/sys_msg_os.h" /* SO_PEERPIDFD where the C library is older than the kernel */
#include "cli.h"

/*
 * One row per optional feature: its name, and what it does in socklab. Each
 * row is compiled in under exactly the guard of the code path it names (the
 * file in the comment), so that a build never claims what it cannot do.
 * tests/test_version.c checks the claims against what the build does.
 */
static const struct {
	const char *name, *what;
} features[] = {
#ifdef __linux__
	/* core/engine/poller.c */
	{ "epoll", "the epoll(7) poller, the servers' default (--poller epoll)" },
	/* transports/endpoint.c */
	{ "abstract-unix-names", "unix:@NAME endpoints: sockets without a file (Linux's abstract namespace)" },
	/* core/sys/sys_packet.c, demos/wire/wire_capture.c */
	{ "af-packet", "AF_PACKET capture: socklab wire reads every packet on lo" },
	/* demos/netns.c, demos/congestion/congestion_net.c, demos/multicast/multicast_veth.c */
	{ "network-namespaces", "private network namespaces: wire, congestion and multicast make their own" },
	/* core/sys/sys_cred.c */
	{ "SO_PEERCRED", "the process at the other end of a unix socket (socklab creds)" },
#endif
#ifdef SO_PEERPIDFD
	/* core/sys/sys_cred.c: sys_peerpidfd() */
	{ "SO_PEERPIDFD", "a descriptor for the peer's process (a Linux 6.5+ kernel answers)" },
#endif
#ifdef SCM_CREDENTIALS
	/* core/sys/sys_cred.c: sys_send_cred(), core/sys/sys_ctl.c */
	{ "SCM_CREDENTIALS", "the sender's credentials on each message (SO_PASSCRED)" },
#endif
#if defined(IP_PKTINFO) && defined(IPV6_RECVPKTINFO)
	/* core/sys/sys_pktinfo.c: sys_want_local() */
	{ "IP_PKTINFO", "a UDP server replies from the address each datagram came to (IPV6_PKTINFO too)" },
#endif
#ifdef MCAST_JOIN_GROUP
	/* core/sys/sys_mcast.c: sys_join_group() */
	{ "MCAST_JOIN_GROUP", "multicast groups joined on a chosen interface (socklab multicast)" },
#endif
#if defined(__linux__) && defined(TCP_INFO)
	/* demos/contrast/contrast_kernel.c, demos/congestion/congestion_tcp.c */
	{ "TCP_INFO", "the kernel's own figures of a TCP connection (contrast, congestion)" },
#endif
#ifdef __linux__
	/* core/sys/sys_batch.c: sys_sendmmsg(), sys_recvmmsg() */
	{ "sendmmsg", "many datagrams per system call: sendmmsg(2) and recvmmsg(2) (bench's bulk)" },
#endif
#if defined(__linux__) && defined(UDP_SEGMENT)
	/* core/sys/sys_batch.c: UDP segmentation offload */
	{ "UDP_SEGMENT", "many UDP datagrams as one send, cut by the kernel (segmentation offload)" },
#endif
#ifdef MSG_NOSIGNAL
	/* core/sys/sys_private.h: SEND_FLAGS */
	{ "MSG_NOSIGNAL", "a send to a closed connection fails with EPIPE instead of raising SIGPIPE" },
#elif defined(SO_NOSIGPIPE)
	/* core/sys/sys.c: sys_socket() */
	{ "SO_NOSIGPIPE", "a send to a closed connection fails with EPIPE instead of raising SIGPIPE" },
#endif
	{ NULL, NULL },
};

int cli_version(FILE *out)
{
	fprintf(out, "socklab %s\n", SOCKLAB_VERSION);
	if (features[0].name)
		fprintf(out, "features of this build:\n");
	for (size_t i = 0; features[i].name; i++)
		fprintf(out, "  %-20s %s\n", features[i].name, features[i].what);
	return 0;
}
