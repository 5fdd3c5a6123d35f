/* contrast_delivery.c - scenario 12: a hundred numbered messages, read as they come: how many, in what order, how soon. */
#include <errno.h>
#include <stdio.h>

#include "core/errors.h"
#include "contrast.h"

/* Numbered messages the reader reads as they come. */
#define DELIVERY_COUNT 100
#define DELIVERY_SIZE 100
_Static_assert(DELIVERY_COUNT <= TALLY_COUNT_MAX && DELIVERY_SIZE <= TALLY_SIZE_MAX, "a tally holds the delivery scenario");

/* TCP counts every segment it sent again, host-wide, in /proc/net/snmp (for IPv6 too). */
static long long retransmitted(const struct transport *t)
{
	if (transport_has_socket_file(t) || !transport_is_connected(t))
		return -1;
	return lab_snmp(AF_INET, "Tcp", "RetransSegs");
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
	snprintf(say, sizeof say, "%zu of %zu arrived", tl.arrived, tl.sent);
	if (tl.dups)
		SAY(say, ", %zu twice", tl.dups);
	if (tl.late)
		SAY(say, ", %zu out of order", tl.late);
	else
		SAY(say, ", in order");
	/* RetransSegs counts the whole host's TCP (or the lab's namespace): data, not a claim in the cell. */
	cell_say(c, "%s, in %lld ms", say, tl.ms);
	return 0;
}
