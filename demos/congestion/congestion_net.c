/* congestion_net.c - three namespaces of socklab's own, joined by veth pairs, a tbf bottleneck and nftables loss. */
#ifdef __linux__
#define _GNU_SOURCE /* unshare(2), setns(2) */
#endif
#include "congestion_net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "demos/netns.h"
#include "transports/rdt/rdt_wire.h" /* RDT_DATA: which of rdt's datagrams --loss drops */
#include "congestion_exec.h"

#ifdef __linux__
#include <sched.h>

#define LOSS_SCALE 10000 /* --loss is drawn in hundredths of a percent */

/* Formats a command line, splits it at spaces and runs it in namespace which. */
static int run(const struct congestion_net *net, int which, const char *input, char *why, size_t whylen,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int run(const struct congestion_net *net, int which, const char *input, char *why, size_t whylen,
	       const char *fmt, ...)
{
	char line[256], *argv[24], *save = NULL;
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	for (char *w = strtok_r(line, " ", &save); w && n + 1 < sizeof argv / sizeof argv[0]; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	static const char *const names[NET_COUNT] = { "router", "sender", "receiver" };

	return congestion_exec(net->ns[which], names[which], argv, input, why, whylen);
}

/* Writes value to a /proc/sys/net file of the namespace this process is in. */
static int sysctl_set(const char *path, const char *value, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, value, strlen(value));
	int err = errno;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(value) ? 0 : fail_why(why, whylen, "write %s: %s", path, errno_text(err));
}

int congestion_net_check(const struct congestion_opts *o, char *why, size_t whylen)
{
	static const char *const tools[][2] = { { "ip", "iproute2" }, { "tc", "iproute2" }, { "nft", "nftables" } };
	char path[256], avail[256] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "re");

	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		if (congestion_tool(tools[i][0], path, sizeof path) < 0)
			return fail_why(why, whylen, "needs %s, which is not installed (apt-get install %s)", tools[i][0],
					tools[i][1]);
	if (f) {
		if (!fgets(avail, sizeof avail, f))
			avail[0] = '\0';
		fclose(f);
	}
	avail[strcspn(avail, "\n")] = '\0';
	for (int i = 0; i < o->ncc; i++) {
		char padded[260], word[32];
		if (o->cc[i]->kind != &congestion_tcp_kind)
			continue; /* aimd is rdt's, in socklab: nothing the kernel must have */
		snprintf(padded, sizeof padded, " %s ", avail);
		snprintf(word, sizeof word, " %s ", o->cc[i]->name);
		if (!strstr(padded, word) && geteuid() != 0)
			return fail_why(why, whylen, "%s is not in this kernel (tcp_available_congestion_control: %s): as root "
					"socklab would ask the kernel to load tcp_%s", o->cc[i]->name, avail, o->cc[i]->name);
	}
	return 0;
}

/* The new namespaces: one more unshare(CLONE_NEWNET) each, kept open, then back to the router's. */
static int make_namespaces(struct congestion_net *net, char *why, size_t whylen)
{
	if (netns_enter_private(why, whylen) < 0)
		return -1;
	net->ns[NET_ROUTER] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	for (int i = NET_SENDER; i < NET_COUNT && net->ns[NET_ROUTER] >= 0; i++) {
		if (unshare(CLONE_NEWNET) < 0)
			return fail_why(why, whylen, "unshare(CLONE_NEWNET) for the %s: %s", i == NET_SENDER ? "sender" : "receiver",
					errno_text(errno));
		net->ns[i] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (net->ns[i] < 0 || setns(net->ns[NET_ROUTER], CLONE_NEWNET) < 0)
			break;
	}
	for (int i = 0; i < NET_COUNT; i++)
		if (net->ns[i] < 0)
			return fail_why(why, whylen, "open or enter /proc/self/ns/net: %s", errno_text(errno));
	return 0;
}

/* The drop that follows a match: at random, or at the positions of --seed's pattern. Writes it at out. */
static int loss_pick(const struct congestion_opts *o, unsigned n, char *out, size_t cap)
{
	int len;

	if (!o->seeded)
		return snprintf(out, cap, "numgen random mod %d < %u counter drop", LOSS_SCALE, n);
	/* A partial Fisher-Yates shuffle of 0..LOSS_SCALE-1, driven by a 64-bit LCG (Knuth's MMIX constants). */
	static unsigned short slot[LOSS_SCALE];
	unsigned long long x = o->seed;
	for (unsigned i = 0; i < LOSS_SCALE; i++)
		slot[i] = (unsigned short)i;
	len = snprintf(out, cap, "numgen inc mod %d { ", LOSS_SCALE);
	for (unsigned i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		unsigned j = i + (unsigned)((x >> 33) % (LOSS_SCALE - i));
		unsigned short t = slot[i];
		slot[i] = slot[j];
		slot[j] = t;
		len += snprintf(out + len, cap - (size_t)len, "%s%u", i ? ", " : "", slot[i]);
	}
	return len + snprintf(out + len, cap - (size_t)len, " } counter drop");
}

/*
 * --loss: drop data on its way to the receiver, at random or from --seed's
 * pattern: TCP segments without SYN, FIN or RST, and rdt's DATA datagrams
 * (UDP; rdt's flags byte is the 4th of its header, after UDP's 8 bytes:
 * transports/rdt/rdt_wire.h), so that neither loses its handshake or its end.
 * Each rule counts its own pattern; a run carries one kind of traffic.
 */
static int add_loss(const struct congestion_opts *o, const struct congestion_net *net, char *why, size_t whylen)
{
	unsigned n = (unsigned)(o->loss_pct * LOSS_SCALE / 100 + 0.5);
	size_t cap = 512 + (size_t)n * 7;
	char *rules = malloc(2 * cap), *drop = malloc(cap), *pick;
	int r;

	if (!rules || !drop) {
		free(rules);
		free(drop);
		return fail_why(why, whylen, "%s", errno_text(ENOMEM));
	}
	loss_pick(o, n, drop, cap);
	snprintf(rules, 2 * cap, "table ip socklab_congestion {\n\tchain forward {\n\t\ttype filter hook forward priority 0; "
				"policy accept;\n\t\tip daddr %s tcp flags & (syn | fin | rst) == 0 %s\n"
				"\t\tip daddr %s meta l4proto udp @th,88,8 & 0x%02x == 0x%02x %s\n\t}\n}\n",
		 CONGESTION_RECEIVER_ADDR, drop, CONGESTION_RECEIVER_ADDR, RDT_DATA, RDT_DATA, drop);
	free(drop);
	pick = rules;
	r = run(net, NET_ROUTER, pick, why, whylen, "nft -f -");
	free(rules);
	return r;
}

/* The links, the addresses, the routes: ip(8), in each namespace. */
static int wire(const struct congestion_net *net, char *why, size_t whylen)
{
	int me = (int)getpid(); /* "netns PID": the far end goes to the router's namespace, where this process is */

	if (run(net, NET_SENDER, NULL, why, whylen, "ip link add s0 type veth peer name s1 netns %d", me) < 0 ||
	    run(net, NET_SENDER, NULL, why, whylen, "ip addr add 10.0.1.1/24 dev s0") < 0 ||
	    run(net, NET_SENDER, NULL, why, whylen, "ip link set s0 up") < 0 ||
	    run(net, NET_SENDER, NULL, why, whylen, "ip route add default via 10.0.1.2") < 0 ||
	    run(net, NET_RECEIVER, NULL, why, whylen, "ip link add r0 type veth peer name r1 netns %d", me) < 0 ||
	    run(net, NET_RECEIVER, NULL, why, whylen, "ip addr add %s/24 dev r0", CONGESTION_RECEIVER_ADDR) < 0 ||
	    run(net, NET_RECEIVER, NULL, why, whylen, "ip link set r0 up") < 0 ||
	    run(net, NET_RECEIVER, NULL, why, whylen, "ip route add default via 10.0.2.1") < 0 ||
	    run(net, NET_ROUTER, NULL, why, whylen, "ip addr add 10.0.1.2/24 dev s1") < 0 ||
	    run(net, NET_ROUTER, NULL, why, whylen, "ip link set s1 up") < 0 ||
	    run(net, NET_ROUTER, NULL, why, whylen, "ip addr add 10.0.2.1/24 dev r1") < 0 ||
	    run(net, NET_ROUTER, NULL, why, whylen, "ip link set r1 up") < 0)
		return -1;
	return sysctl_set("/proc/sys/net/ipv4/ip_forward", "1\n", why, whylen);
}

int congestion_net_up(const struct congestion_opts *o, struct congestion_net *net, char *why, size_t whylen)
{
	/* A burst of 2 ms at the rate, at least two full frames: tbf needs one frame's worth to send anything. */
	unsigned long long burst = o->rate_bps / 8 / 500 > 3028 ? o->rate_bps / 8 / 500 : 3028;

	for (int i = 0; i < NET_COUNT; i++)
		net->ns[i] = -1;
	if (make_namespaces(net, why, whylen) < 0 || wire(net, why, whylen) < 0)
		return -1;
	if (run(net, NET_ROUTER, NULL, why, whylen, "tc qdisc add dev r1 root tbf rate %llubit burst %llu limit %llu",
		(unsigned long long)o->rate_bps, burst, (unsigned long long)o->buffer_bytes) < 0)
		return -1;
	/* Delay on the receiver's side, on the ACKs' way back: the round trip grows, the data path keeps its queue. */
	if (o->delay_ms > 0 &&
	    run(net, NET_RECEIVER, NULL, why, whylen, "tc qdisc add dev r0 root netem delay %dms limit 100000", o->delay_ms) < 0) {
		if (strstr(why, "qdisc kind is unknown"))
			fail_why(why, whylen, "--delay needs the netem qdisc (sch_netem), which this kernel does not have; "
					      "without it the round trip is the bottleneck's queue (see docs/congestion.md)");
		return -1;
	}
	if (o->loss_pct > 0 && add_loss(o, net, why, whylen) < 0)
		return -1;
	/* Each run starts afresh: no ssthresh remembered from the run before (tcp_no_metrics_save, ip-sysctl.rst). */
	if (congestion_net_enter(net, NET_SENDER) < 0)
		return fail_why(why, whylen, "enter the sender's namespace: %s", errno_text(errno));
	return sysctl_set("/proc/sys/net/ipv4/tcp_no_metrics_save", "1\n", why, whylen);
}

int congestion_net_enter(const struct congestion_net *net, int which)
{
	return setns(net->ns[which], CLONE_NEWNET);
}

#else /* not Linux */

int congestion_net_check(const struct congestion_opts *o, char *why, size_t whylen)
{
	(void)o;
	return fail_why(why, whylen, "needs Linux: network namespaces, tc and TCP_INFO");
}

int congestion_net_up(const struct congestion_opts *o, struct congestion_net *net, char *why, size_t whylen)
{
	(void)o;
	(void)net;
	return fail_why(why, whylen, "needs Linux");
}

int congestion_net_enter(const struct congestion_net *net, int which)
{
	(void)net;
	(void)which;
	errno = ENOSYS;
	return -1;
}

#endif

void congestion_net_down(struct congestion_net *net)
{
	for (int i = 0; i < NET_COUNT; i++)
		if (net->ns[i] >= 0) {
			close(net->ns[i]);
			net->ns[i] = -1;
		}
}
