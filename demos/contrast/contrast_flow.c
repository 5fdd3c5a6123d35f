/* contrast_flow.c - scenario 7: a fast sender and a slow reader; does the sender wait, or is data dropped? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* Flow control: a megabyte in messages of a kilobyte, more than the default socket buffers hold. */
#define FLOW_COUNT 1000
#define FLOW_SIZE 1000
_Static_assert(FLOW_COUNT <= TALLY_COUNT_MAX && FLOW_SIZE <= TALLY_SIZE_MAX, "a tally holds the flow scenario");
/* Both socket buffers are set to this, so that a megabyte is more than they hold. */
#define FLOW_BUFFER (64 * 1024)

/* UDP counts what it dropped for a full buffer in /proc/net/snmp (snmp6 for IPv6). */
static long long rcvbuf_errors(const struct transport *t, const struct addr *a)
{
	if (transport_is_connected(t) || transport_has_socket_file(t))
		return -1;
	return lab_snmp(a->ss.ss_family, "Udp", "RcvbufErrors");
}

/* 7. A fast sender, a slow reader, the default buffers: does the sender wait, or is data dropped? */
int scenario_flow(struct lab *lab, const struct transport *t, struct cell *c)
{
	static struct tally tl;
	struct pair p;
	char say[200];

	tally_reset(&tl, FLOW_COUNT, FLOW_SIZE);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	if (sys_setsockopt_int(pair_server(&p)->fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", FLOW_BUFFER) < 0 ||
	    sys_setsockopt_int(p.cli.fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", FLOW_BUFFER) < 0) {
		pair_close(&p);
		return cell_fail(c, "setsockopt", errno);
	}
	long long before = rcvbuf_errors(t, &p.at);
	int r = tally_run(&p, &tl, 1), err = errno;
	long long after = rcvbuf_errors(t, &p.at);
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "transfer", err);
	obs_int(c, "sent", (long long)tl.sent);
	obs_int(c, "arrived", (long long)tl.arrived);
	obs_int(c, "sender_waited", (long long)tl.waits);
	snprintf(say, sizeof say, "%zu of %zu arrived; the sender ", tl.arrived, tl.sent);
	if (tl.waits)
		SAY(say, "waited %zu times", tl.waits);
	else
		SAY(say, "never waited");
	if (before >= 0 && after >= 0) {
		obs_int(c, "kernel_rcvbuf_errors", after - before);
		SAY(say, "; kernel: Udp RcvbufErrors +%lld", after - before);
	}
	cell_say(c, "%s", say);
	return 0;
}

