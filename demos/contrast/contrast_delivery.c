/* contrast_delivery.c - scenario 12: a hundred numbered messages, read as they come: how many, in what order, how soon. */
#include <errno.h>
#include <stdio.h>

#include "core/errors.h"
#include "transports/rdt/rdt_transport.h"
#include "contrast.h"

/* Numbered messages the reader reads as they come. */
#define DELIVERY_COUNT 100
#define DELIVERY_SIZE 100
_Static_assert(DELIVERY_COUNT <= TALLY_COUNT_MAX && DELIVERY_SIZE <= TALLY_SIZE_MAX, "a tally holds the delivery scenario");

/* TCP counts every segment it sent again, host-wide, in /proc/net/snmp (for IPv6 too): a TCP connection's counter. */
static long long retransmitted(const struct transport *t)
{
	if (transport_has_socket_file(t) || !transport_is_connected(t) || transport_in_user_space(t))
		return -1;
	return counters_snmp(AF_INET, "Tcp", "RetransSegs");
}

/* 12. A hundred numbered messages, read as they come: how many arrive, in what order, how soon? */
int scenario_delivery(struct lab *lab, const struct transport *t, struct cell *c)
{
	static struct tally tl;
	struct pair p;
	char say[200];

	tally_reset(&tl, DELIVERY_COUNT, DELIVERY_SIZE);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	long long before = retransmitted(t);
	int r = tally_run(&p, &tl, 0), err = errno;
	long long after = retransmitted(t);
	/* socklab's own protocol counts its own: the sender's connection, before it closes. */
	struct rdt_stats rs;
	int own = rdt_sock_stats(&p.cli, &rs) == 0;
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "transfer", err);
	obs_int(c, "sent", (long long)tl.sent);
	obs_int(c, "arrived", (long long)tl.arrived);
	obs_int(c, "duplicates", (long long)tl.dups);
	obs_int(c, "out_of_order", (long long)tl.late);
	obs_int(c, "ms", tl.ms);
	if (before >= 0 && after >= 0)
		obs_int(c, "kernel_tcp_retransmits", after - before);
	if (tl.tcp.ok) {
		obs_int(c, "tcpi_total_retrans", tl.tcp.total_retrans);
		obs_int(c, "tcpi_rtt_us", (long long)(tl.tcp.rtt_ms * 1000));
		obs_int(c, "tcpi_rttvar_us", (long long)(tl.tcp.rttvar_ms * 1000));
		obs_int(c, "tcpi_snd_cwnd", tl.tcp.cwnd);
	}
	snprintf(say, sizeof say, "%zu of %zu arrived", tl.arrived, tl.sent);
	if (tl.dups)
		SAY(say, ", %zu twice", tl.dups);
	if (tl.late)
		SAY(say, ", %zu out of order", tl.late);
	else
		SAY(say, ", in order");
	SAY(say, ", in %lld ms", tl.ms);
	/*
	 * The connection's own figures, from TCP_INFO: what it sent again and what
	 * it measured. RetransSegs counts the whole host's TCP (the lab's namespace
	 * only, in make lab): beside it, as the counter a tcpdump user would check.
	 */
	if (tl.tcp.ok) {
		SAY(say, "; kernel: %u segment%s sent again", tl.tcp.total_retrans, tl.tcp.total_retrans == 1 ? "" : "s");
		if (before >= 0 && after >= 0)
			SAY(say, " (RetransSegs +%lld, all connections)", after - before);
		SAY(say, ", rtt %.3f ms (var %.3f), cwnd %u", tl.tcp.rtt_ms, tl.tcp.rttvar_ms, tl.tcp.cwnd);
	}
	if (own) {
		unsigned long long again = rs.retransmits_timeout + rs.retransmits_fast;
		obs_int(c, "rdt_retransmits", (long long)again);
		obs_int(c, "rdt_timeouts", (long long)rs.timeouts);
		SAY(say, "; socklab's rdt: %llu packet%s sent again", again, again == 1 ? "" : "s");
		if (rs.srtt > 0)
			SAY(say, ", srtt %.3f ms", rs.srtt / 1000.0);
	}
	cell_say(c, "%s", say);
	return 0;
}
