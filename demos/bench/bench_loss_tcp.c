/* bench_loss_tcp.c - kernel TCP in the loss sweep: a private namespace whose lo loses packets (nftables), unseeded. */
#include "bench_loss.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "demos/congestion/congestion_exec.h"
#include "demos/netns.h"
#include "demos/wire/wire.h"

/* What the child sends back through its pipe. */
struct tcp_result {
	int rc;
	struct loss_cell cell;
	char why[200];
};

/*
 * lo in this namespace: an MTU of LOSS_TCP_MTU and gso_max_segs 1, so that
 * TCP hands lo one MSS-sized segment per packet (ip-link(8)) and a packet
 * nftables drops is one segment, as on a real network, not a 64 KiB
 * aggregate of many. 0, or -1 with why.
 */
static int one_segment_per_packet(char *why, size_t whylen)
{
	char *const argv[] = { "ip", "link", "set", "lo", "mtu", LOSS_TCP_MTU, "gso_max_segs", "1", NULL };
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (ns < 0)
		return fail_why(why, whylen, "open /proc/self/ns/net: %s", errno_text(errno));
	int rc = congestion_exec(ns, "bench", argv, NULL, why, whylen);
	close(ns);
	return rc;
}

/* The child: the namespace, its rules, one cell; the result into fd. Never returns. */
static _Noreturn void in_namespace(double loss, double seconds, int fd)
{
	struct tcp_result r = { .rc = -1 };
	int pct = (int)lround(loss * 100);

	if (netns_enter_private(r.why, sizeof r.why) == 0 && one_segment_per_packet(r.why, sizeof r.why) == 0 &&
	    (pct == 0 || wire_net_loss(pct, 0, 0, r.why, sizeof r.why) == 0)) {
		r.rc = bench_loss_cell(NULL, 0, seconds, LOSS_SEED, &r.cell);
		if (r.rc < 0)
			fail_why(r.why, sizeof r.why, "kernel TCP in the namespace: %s", errno_text(errno));
		r.cell.dropped = pct == 0 ? 0 : wire_net_dropped();
	}
	_exit(write(fd, &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
}

int bench_loss_tcp(double loss, double seconds, struct loss_cell *out, char *why, size_t whylen)
{
	struct tcp_result r = { .rc = -1 };
	int p[2];

	if (fabs(loss * 100 - round(loss * 100)) > 1e-9)
		return fail_why(why, whylen, "nftables' numgen draws whole percents, not %g%%", loss * 100);
	if (congestion_pipe(p) < 0)
		return fail_why(why, whylen, "pipe: %s", errno_text(errno));
	fflush(stdout); /* the child would print what is still buffered again */
	pid_t pid = congestion_fork();
	if (pid < 0) {
		close(p[0]), close(p[1]);
		return fail_why(why, whylen, "fork: %s", errno_text(errno));
	}
	if (pid == 0) {
		close(p[0]);
		in_namespace(loss, seconds, p[1]);
	}
	close(p[1]);
	size_t got = 0;
	for (ssize_t n; got < sizeof r && ((n = read(p[0], (char *)&r + got, sizeof r - got)) > 0 || (n < 0 && errno == EINTR));)
		got += n > 0 ? (size_t)n : 0;
	close(p[0]);
	congestion_reap(pid);
	if (got != sizeof r)
		return fail_why(why, whylen, "the namespace's child ended without a result");
	if (r.rc < 0)
		return fail_why(why, whylen, "%s", r.why);
	*out = r.cell;
	return 0;
}
