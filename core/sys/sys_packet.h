/* sys_packet.h - the calls only a packet socket (Linux AF_PACKET) makes: a timestamped receive, the capture's counters. */
#ifndef SOCKLAB_SYS_PACKET_H
#define SOCKLAB_SYS_PACKET_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/addr.h"

/*
 * A packet socket (packet(7): socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)))
 * is opened, bound and closed with the wrappers of sys.h; these two are what
 * it adds. Both are traced, retry EINTR, and exist on Linux only: elsewhere
 * they fail with ENOSYS.
 */

/*
 * recvmsg(2) of one frame, with MSG_TRUNC so that the kernel says the
 * frame's real length. Fills buf with at most len bytes, *from with the
 * frame's struct sockaddr_ll (interface, protocol, and sll_pkttype: whether
 * the frame was going out or coming in), *wirelen with its full length, and
 * *ts with the kernel's timestamp (CLOCK_REALTIME) when SO_TIMESTAMPNS was set
 * on fd, else with the time of the read. Returns the bytes stored (at most
 * len), or -1 with errno: EAGAIN when fd is non-blocking and nothing waits.
 */
ssize_t sys_recv_frame(int fd, void *buf, size_t len, struct addr *from, size_t *wirelen, struct timespec *ts);

/*
 * getsockopt(SOL_PACKET, PACKET_STATISTICS): the frames the socket took and
 * those it had to drop, its queue being full, since the last call (reading
 * resets them). 0, or -1 with errno.
 */
int sys_packet_stats(int fd, unsigned *frames, unsigned *drops);

#endif
