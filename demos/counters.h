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

#endif
