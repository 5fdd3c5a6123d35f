/* contrast_reach.c - scenarios 15 and 16: how many receivers one send reaches, and who may send to a client. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/sys_mcast.h"
#include "contrast.h"

/* Receivers in scenario 15, and the IPv4 group they join on the loopback (administratively scoped, RFC 2365). */
#define RECEIVERS 3
#define GROUP "239.255.0.1"

/* Waits, until deadline, for a datagram on each fd and reads it. Returns how many had one. */
static int count_arrivals(const int *fds, int n, long long deadline)
{
	char buf[16];
	int got = 0;

	for (int i = 0; i < n; i++) {
		long long left = deadline - sys_now_ms();
		if (fds[i] >= 0 && sys_wait(fds[i], 0, left > 0 ? (int)left : 0) > 0 &&
		    sys_recv(fds[i], buf, sizeof buf, MSG_DONTWAIT) >= 0)
			got++;
	}
	return got;
}

/* IP multicast on the loopback: RECEIVERS sockets join GROUP; one sendto(). How many got it, or -1 with errno. */
static int ip_group(struct cell *c)
{
	int fds[RECEIVERS] = { -1, -1, -1 }, got = -1, sender = -1;
	unsigned lo = if_nametoindex("lo");
	struct addr g = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&g.ss;

	sin->sin_family = AF_INET;
	inet_pton(AF_INET, GROUP, &sin->sin_addr);
	for (int i = 0; i < RECEIVERS; i++) {
		fds[i] = sys_socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0 || sys_setsockopt_int(fds[i], SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0 ||
		    sys_bind(fds[i], &g) < 0 || (i == 0 && sys_getsockname(fds[i], &g) < 0) ||
		    sys_join_group(fds[i], &g, lo) < 0)
			goto out; /* the first bound picks the port, the others share it */
	}
	sender = sys_socket(AF_INET, SOCK_DGRAM, 0);
	if (sender < 0 || sys_multicast_if(sender, AF_INET, lo) < 0)
		goto out;
	ssize_t sent = sys_sendto(sender, "all", 3, &g);
	obs_result(c, "group_sendto", sent, errno);
	if (sent >= 0)
		got = count_arrivals(fds, RECEIVERS, sys_now_ms() + EXPECT_MS);
out:;
	int saved = errno;
	for (int i = 0; i < RECEIVERS; i++)
		if (fds[i] >= 0)
			sys_close(fds[i]);
	if (sender >= 0)
		sys_close(sender);
	errno = saved;
	return got;
}

/* 15. One send, three receivers: how many does it reach? */
int scenario_one_to_many(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p[RECEIVERS];
	int rx[RECEIVERS], opened = 0, first = -1, all = 0, err = 0;

	obs_int(c, "receivers", RECEIVERS);
	if (!transport_is_connected(t) && !transport_has_socket_file(t)) {
		/* Addresses that are IP addresses have groups: one address many sockets join. */
		int got = ip_group(c);
		if (got < 0)
			return cell_fail(c, "multicast", errno);
		obs_str(c, "group", GROUP " on lo");
		obs_int(c, "reached_by_one_send", got);
		cell_say(c, "1 sendto() to group " GROUP ": %d of %d got it", got, RECEIVERS);
		return 0;
	}
	/* Every other transport: a receiver is a peer of its own, reached by a send of its own. */
	for (; opened < RECEIVERS; opened++) {
		if (pair_open(lab, t, &p[opened]) < 0) {
			err = errno;
			break;
		}
		rx[opened] = pair_server(&p[opened])->fd;
	}
	if (opened == RECEIVERS && sock_send(&p[0].cli, "one", 3) != 3)
		err = errno;
	else if (opened == RECEIVERS) {
		first = count_arrivals(rx, RECEIVERS, sys_now_ms() + QUIET_MS);
		for (int i = 0; i < RECEIVERS; i++)
			all += sock_send(&p[i].cli, "all", 3) == 3;
		int heard = count_arrivals(rx, RECEIVERS, sys_now_ms() + EXPECT_MS);
		obs_int(c, "reached_by_one_send", first);
		obs_int(c, "sends_to_reach_all", all);
		obs_int(c, "reached_by_those", heard);
	}
	for (int i = 0; i < opened; i++)
		pair_close(&p[i]);
	if (first < 0)
		return cell_fail(c, opened < RECEIVERS ? "open" : "send", err);
	cell_say(c, "1 send: %d of %d got it; a send per receiver: %d sends", first, RECEIVERS, all);
	return 0;
}

/* A datagram from a stranger to the client's address: does it come? 1, 0, or -1 with the stranger's errno in *err. */
static int stranger_sends(int stranger, struct sock *cli, const struct addr *to, int *err)
{
	char buf[16];

	if (sys_sendto(stranger, "psst", 4, to) < 0) {
		*err = errno;
		return -1;
	}
	return lab_wait(cli, QUIET_MS) > 0 && sys_recv(cli->fd, buf, sizeof buf, MSG_DONTWAIT) >= 0;
}

/* 16. Someone else writes to the client: a connection has two ends only; a datagram socket takes anyone's, until connect(). */
int scenario_stranger(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	struct addr me;
	char say[200] = "", buf[16];
	int err = 0;

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	/* One message first, so that a UDP client has a port of its own. */
	if (sock_send(&p.cli, "hi", 2) != 2 || lab_wait(pair_server(&p), lab_patience(&p.cli)) <= 0 ||
	    pair_server_recv(&p, buf, sizeof buf, NULL) < 0 || sock_getname(&p.cli, &me) < 0) {
		err = errno;
		pair_close(&p);
		return cell_fail(c, "exchange", err);
	}
	int stranger = sys_socket(me.ss.ss_family, t->type, 0);
	if (addr_is_unnamed_unix(&me)) {
		obs_str(c, "client_address", "unnamed");
		SAY(say, "the client has no name: nobody else can address it");
	} else if (stranger >= 0 && transport_is_connected(t)) {
		int r = sys_connect(stranger, &me);
		obs_result(c, "stranger_connect", r, errno);
		SAY(say, "connect(client's address): %s: a connection has two ends only", r < 0 ? errno_name(errno) : "0?");
	} else if (stranger >= 0) {
		int open_arrived = stranger_sends(stranger, &p.cli, &me, &err);
		obs_bool(c, "arrived_unconnected", open_arrived > 0);
		int r = sys_connect(p.cli.fd, &p.at); /* the client connect()s to its server */
		obs_result(c, "client_connect", r, errno);
		int closed_arrived = r < 0 ? -1 : stranger_sends(stranger, &p.cli, &me, &err);
		obs_str(c, "connected", closed_arrived > 0 ? "arrived" : closed_arrived == 0 ? "filtered" : errno_name(err));
		SAY(say, "unconnected: %s; connect()ed: ", open_arrived > 0 ? "it arrived" : "nothing came");
		if (closed_arrived < 0)
			SAY(say, "the stranger's send fails, %s", errno_name(err));
		else
			SAY(say, "%s", closed_arrived ? "it arrived" : "sent, and the kernel dropped it");
	}
	err = errno;
	if (stranger >= 0)
		sys_close(stranger);
	pair_close(&p);
	if (!say[0])
		return cell_fail(c, "socket", err);
	cell_say(c, "%s", say);
	return 0;
}
