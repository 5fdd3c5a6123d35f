/* congestion_recv.h - the receiving end of every flow: a child process across the bottleneck, counting bytes. */
#ifndef SOCKLAB_CONGESTION_RECV_H
#define SOCKLAB_CONGESTION_RECV_H

#include <sys/types.h>

#include "congestion.h"
#include "congestion_net.h"

/*
 * Starts the receiver: a child (congestion_fork: it dies with socklab) that
 * enters the receiver's namespace, listens on kind's receiver endpoint
 * (kernel TCP, or rdt) with a port the kernel picks, accepts the flows,
 * reads them as fast as they come and counts, per sender port, the bytes
 * its recv returned up to end_us (congestion_now_us() time). Waits until the
 * child says its port (*port), at most 10 s. Returns its pid and the two
 * pipes: *report_fd to read its report from, *stop_fd to close to ask for
 * it. Returns -1 with errno when fork or a pipe fails, or the child could not
 * listen (ECHILD) or did not say so in time (ETIMEDOUT); the child is reaped.
 */
pid_t congestion_receiver_start(const struct congestion_net *net, const struct congestion_kind *kind, long long end_us,
				int *port, int *report_fd, int *stop_fd);

/*
 * Asks the receiver for its counts (closes stop_fd), reads them into the
 * flows of run by port, and reaps it. Returns 0, or -1 with errno EPROTO
 * when it failed or did not report every flow. Blocks until it has exited.
 */
int congestion_receiver_collect(pid_t pid, int report_fd, int stop_fd, struct congestion_run *run);

#endif
