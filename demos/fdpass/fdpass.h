/* fdpass.h - socklab fdpass: what the sender (fdpass.c) and the receiver (fdpass_receiver.c) share. */
#ifndef SOCKLAB_FDPASS_H
#define SOCKLAB_FDPASS_H

#include "transports/endpoint.h"
#include "demos/peerproc.h"

/* The receiver's exit code when the message came and no descriptor with it (tcp, udp). */
#define FDPASS_NO_DESCRIPTOR 3

/*
 * The receiver, in the child process: listens on ep (text is how the user
 * wrote it), tells the parent where it really listens, takes one message and
 * at most one descriptor (sys_recv_ctl: any more are closed), waits for its
 * turn, then prints what came and reads the file through the descriptor.
 * Never returns: exits 0 when a descriptor came, FDPASS_NO_DESCRIPTOR when
 * the message came without one, 1 on a failure it has printed.
 */
void fdpass_receive(struct peerproc *pp, const char *text, const struct endpoint *ep)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((noreturn))
#endif
	;

#endif
