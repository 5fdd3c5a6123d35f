/* rdt_transport.h - the transport rdt (rdt://HOST:PORT?arq=sr&window=32), and what its sockets counted. */
#ifndef SOCKLAB_RDT_TRANSPORT_H
#define SOCKLAB_RDT_TRANSPORT_H

#include "core/transport.h"
#include "rdt.h"

/*
 * socklab's own reliable transport over UDP: a connection (a handshake opens
 * it, a close ends it), messages kept whole, nothing lost, in order. Its
 * facts are TCP's promises plus TRANSPORT_USER_SPACE: the protocol runs in
 * socklab, not in the kernel (transports/rdt/rdt_sock.h tells how). Its
 * endpoint takes rdt's options (rdt_config.h) and the impairment layer's,
 * which act on the UDP datagrams rdt is made of, data and ACKs alike: the
 * one reliable transport where drop=, dup= and reorder= are real, since
 * datagrams really are lost and rdt really repairs it.
 */
extern const struct transport rdt_transport;

/*
 * What s, an rdt socket, has counted so far: a connection's own figures, or a
 * listener's totals over every connection it took (live or gone), with the
 * configuration it asked for (window, cwnd...). Returns 0, or -1 EOPNOTSUPP
 * when s is not an rdt socket (no protocol of socklab's to ask: the kernel
 * counts TCP's retransmissions, in TCP_INFO). Never blocks for long.
 */
int rdt_sock_stats(const struct sock *s, struct rdt_stats *out);

/*
 * Datagrams a listener s received that no connection took: malformed (not
 * rdt, cut, a wrong checksum), from strangers (no connection, answered with
 * an RST), and the RSTs sent. 0, or -1 EOPNOTSUPP as above.
 */
int rdt_sock_strangers(const struct sock *s, unsigned long long *malformed, unsigned long long *strangers,
		       unsigned long long *resets);

#endif
