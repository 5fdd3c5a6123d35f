/* sys_msg.h - ancillary data: descriptors and credentials that travel beside the bytes (sendmsg, recvmsg), received safely. */
#ifndef SOCKLAB_SYS_MSG_H
#define SOCKLAB_SYS_MSG_H

#include <stddef.h>
#include <sys/types.h>

#include "core/addr.h"

/*
 * Only AF_UNIX sockets carry ancillary data between processes: SCM_RIGHTS
 * (open descriptors, unix(7)) and SCM_CREDENTIALS (who sent, Linux). The
 * calls here are traced like the rest of core/sys/, with the control data
 * in the line ("sendmsg(3, 1 bytes, SCM_RIGHTS [5]) = 1").
 *
 * Receiving is where programs go wrong, and sys_recv_ctl() is the one
 * receive every socklab receiver of descriptors uses. It follows systemd's
 * recvmsg_safe() (src/basic/socket-util.c): a control buffer with room for
 * the most a message can carry, MSG_CMSG_CLOEXEC, and every received
 * descriptor closed when the message was truncated, so that nothing leaks
 * whatever a peer sends. It also walks the control messages by hand, never
 * trusting a length, and closes descriptors beyond what the caller wants.
 */

/*
 * The most descriptors one message may carry: SCM_MAX_FD in Linux's
 * include/net/scm.h (253); sendmsg(2) of more fails with EINVAL (unix(7)).
 * Other systems have other limits; socklab's buffers hold this many.
 */
#define SYS_FDS_MAX 253

/* Who a process is, as the kernel tells it (struct ucred on Linux). */
struct sys_cred {
	long pid; /* 0: no process known (what SO_PEERCRED answers on a socket that has no peer process) */
	long uid; /* -1: none */
	long gid; /* -1: none */
};

/* What one receive carried besides its bytes, as sys_recv_ctl() leaves it. */
struct sys_ctl {
	int fds[SYS_FDS_MAX]; /* descriptors now open in this process, close-on-exec: the caller owns them */
	size_t nfds;
	size_t closed;        /* descriptors that arrived and were closed here: truncation, or more than wanted */
	int pidfd;            /* SCM_PIDFD (Linux 6.5+, with SO_PASSPIDFD): a descriptor for the sender, or -1 */
	int has_cred;         /* SCM_CREDENTIALS came: the socket has SO_PASSCRED */
	struct sys_cred cred; /* the sender, checked by the kernel (an unprivileged sender cannot claim another) */
	int flags;            /* msg_flags as the kernel set them: MSG_TRUNC (data cut), MSG_CTRUNC (control cut) */
	size_t unknown;       /* control messages skipped: another type, or a length that does not add up */
};

/* Room for everything sys_recv_ctl() accepts: SYS_FDS_MAX descriptors, credentials, a pidfd (sys_ctl.c). */
extern const size_t sys_ctl_space;

/*
 * sendmsg(2) with MSG_NOSIGNAL, EINTR retried, traced with its control
 * messages. Returns the bytes sent or -1 with errno as sendmsg sets it.
 */
ssize_t sys_sendmsg(int fd, const struct msghdr *m);

/*
 * recvmsg(2), EINTR retried, traced with the control messages and flags it
 * got. The raw call, for lessons that show what goes wrong (a buffer too
 * small, none at all): real receivers use sys_recv_ctl().
 */
ssize_t sys_recvmsg(int fd, struct msghdr *m, int flags);

/*
 * One sendmsg(2) of buf with nfds descriptors in one SCM_RIGHTS message (none
 * when nfds is 0), to to (NULL: the connected peer). On a stream, may send
 * less than len; the descriptors travel with the first byte. nfds above
 * SYS_FDS_MAX is passed to the kernel (which refuses it) up to 2 * SYS_FDS_MAX;
 * beyond that EINVAL here. On inet sockets Linux ignores SCM_RIGHTS without an
 * error (net/core/sock.c, __sock_cmsg_send): the bytes go, the descriptors do not.
 */
ssize_t sys_send_fds(int fd, const void *buf, size_t len, const int *fds, size_t nfds, const struct addr *to);

/*
 * The safe receive: one recvmsg(2) of at most len bytes into buf, with a
 * control buffer of sys_ctl_space bytes and MSG_CMSG_CLOEXEC (or FD_CLOEXEC
 * set at once where the flag does not exist). Fills *ctl:
 *  - at most keep descriptors, in the order they came; the rest closed;
 *  - none at all when the kernel set MSG_CTRUNC (control data was cut: what
 *    arrived is incomplete) or MSG_TRUNC (the message was cut): all closed;
 *  - credentials when the socket has SO_PASSCRED; a pidfd when SO_PASSPIDFD
 *    (closed, as descriptors are, when the message was truncated).
 * ctl->closed counts what was closed, ctl->flags tells why. from may be NULL.
 * Returns the bytes received (0: end of stream, or an empty message), or -1
 * with errno, holding nothing. Blocks unless fd is non-blocking or flags has
 * MSG_DONTWAIT.
 */
ssize_t sys_recv_ctl(int fd, void *buf, size_t len, int flags, struct addr *from, size_t keep, struct sys_ctl *ctl);

/*
 * How many descriptors this process has open: the measure of a leak. Counts
 * /proc/self/fd where there is one (Linux); elsewhere probes each number
 * below the RLIMIT_NOFILE limit (at most 65536) with fcntl(F_GETFD).
 * Returns the count (the directory's own descriptor excluded), or -1.
 */
int sys_open_fds(void);

/* Closes every descriptor ctl holds (and its pidfd) and empties it. Safe on an empty one. */
void sys_ctl_close(struct sys_ctl *ctl);

/*
 * Reads control messages as recvmsg(2) left them (control, len bytes) into
 * *ctl: no system call, so it can be fuzzed. Each descriptor found is kept
 * (up to keep, never when discard is set) or handed to drop(fd, ctx).
 * Never reads outside control[0, len): a header whose length is shorter
 * than a header or runs past the end stops the walk; a payload of the wrong
 * size for its type, a second set of credentials, or an unknown level or
 * type is skipped and counted in ctl->unknown.
 */
void sys_ctl_parse(const void *control, size_t len, size_t keep, int discard, struct sys_ctl *ctl,
		   void (*drop)(int fd, void *ctx), void *ctx);

/* "SCM_RIGHTS [5 6], SCM_CREDENTIALS {pid 12, uid 0, gid 0}": control messages as the trace shows them. Returns out. */
const char *sys_ctl_format(const void *control, size_t len, char *out, size_t outlen);

/*
 * socketpair(2): two sockets connected to each other, with no name at all,
 * close-on-exec. domain AF_UNIX on every system; others fail as the kernel
 * says (Linux: EOPNOTSUPP for AF_INET). Fills sv, returns 0 or -1.
 */
int sys_socketpair(int domain, int type, int sv[2]);

/*
 * getsockopt(SO_PEERCRED): who the peer of fd was when it connected (Linux:
 * taken at connect(2), or at socketpair(2); a listening socket answers its
 * own process). A socket with no peer process answers pid 0, uid and gid -1.
 * 0 or -1 with errno (EOPNOTSUPP where socklab does not know the option).
 */
int sys_peercred(int fd, struct sys_cred *c);

/*
 * getsockopt(SO_PEERPIDFD) (Linux 6.5+): a pidfd for the peer's process, a
 * descriptor that, unlike a pid, can never name another process later.
 * Returns it (close-on-exec), or -1: ENOPROTOOPT from a kernel without it,
 * ENODATA when the socket has no peer process, EOPNOTSUPP when socklab was
 * built without the option.
 */
int sys_peerpidfd(int fd);

/* The pid a pidfd refers to, from /proc/self/fdinfo: >0, -1 once that process has exited, -2 unknown. */
long sys_pidfd_pid(int pidfd);

/* setsockopt(SO_PASSCRED): each message then carries SCM_CREDENTIALS. 0, or -1 (ENOPROTOOPT where there is none). */
int sys_set_passcred(int fd, int on);

/*
 * setsockopt(SO_PASSRIGHTS) (Linux 6.16+): off, the kernel refuses to queue
 * descriptors for fd, and a sender's sendmsg(SCM_RIGHTS) fails with EPERM.
 * For a socket that never expects one. 0, or -1: ENOPROTOOPT from an older
 * kernel, or where socklab does not know the option.
 */
int sys_set_passrights(int fd, int on);

/*
 * One sendmsg(2) of buf with SCM_CREDENTIALS claiming *claim, to to (NULL:
 * connected peer). The kernel checks the claim (unix(7)): an unprivileged
 * sender may claim only its own pid, uid and gid (EPERM otherwise).
 * EOPNOTSUPP where there is no SCM_CREDENTIALS.
 */
ssize_t sys_send_cred(int fd, const void *buf, size_t len, const struct sys_cred *claim, const struct addr *to);

#endif
