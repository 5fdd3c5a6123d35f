/* counters.h - the kernel's network counters a command can cite as evidence of what happened to its data. */
#ifndef SOCKLAB_COUNTERS_H
#define SOCKLAB_COUNTERS_H

/*
 * Linux keeps these in /proc (proc(5)); elsewhere, and when a file cannot be
 * read, each returns -1 and the command says nothing of it. The /proc/net
 * files are the network namespace's: the whole host's, or only the lab's
 * inside make lab.
 */

/*
 * A counter of /proc/net/snmp (IPv4: "Udp" "RcvbufErrors", "Tcp"
 * "RetransSegs") or /proc/net/snmp6 (family AF_INET6), or -1.
 */
long long counters_snmp(int family, const char *proto, const char *field);

/*
 * What the UDP socket bound to local port port dropped, its own count (the
 * "drops" column of /proc/net/udp and udp6: a full receive buffer, mostly),
 * or -1 when no such socket is open.
 */
long long counters_udp_drops(unsigned port);

/* The states of include/net/tcp_states.h, as /proc/net/tcp numbers them: a bit each for the mask below. */
enum counters_tcp_state {
	COUNTERS_TCP_ESTABLISHED = 1, COUNTERS_TCP_SYN_SENT, COUNTERS_TCP_SYN_RECV, COUNTERS_TCP_FIN_WAIT1,
	COUNTERS_TCP_FIN_WAIT2, COUNTERS_TCP_TIME_WAIT, COUNTERS_TCP_CLOSE, COUNTERS_TCP_CLOSE_WAIT,
	COUNTERS_TCP_LAST_ACK, COUNTERS_TCP_LISTEN, COUNTERS_TCP_CLOSING,
};
#define COUNTERS_TCP(state) (1u << COUNTERS_TCP_##state)

/*
 * How many TCP sockets (IPv4 and IPv6) with local port port (0: any) are in
 * one of states (a mask of COUNTERS_TCP(TIME_WAIT)...), from /proc/net/tcp
 * and tcp6; 0 when they cannot be read.
 */
int counters_tcp_sockets(unsigned port, unsigned states);

#endif
