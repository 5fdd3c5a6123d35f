/* af_unix.h - what the three AF_UNIX transports share, as af_unix.c shares unix_bind and unix_release. */
#ifndef SOCKLAB_AF_UNIX_H
#define SOCKLAB_AF_UNIX_H

#include "sockops.h"

/*
 * socket(2) and bind(2) to a path or an abstract name. The socket file is
 * created without write permission for others, whatever the umask. If the
 * path is taken:
 *  - by a socket nobody listens on any more (a server that crashed left it):
 *    the stale file is removed and bind retried;
 *  - by a live socket: fails with EADDRINUSE;
 *  - by anything that is not a socket (a regular file, a directory, a
 *    symlink): fails with SL_ENOTSOCK_FILE and never touches it.
 */
int unix_bind(struct sock *s, const struct addr *a);

/* close(2), then unlink(2) of the socket file, if this socket created it and it is still that file. */
int unix_close(struct sock *s);

/*
 * A datagram client: socket(2), then bind(2) to an address of its own, since
 * a server can only answer a datagram socket that has a name. On Linux that
 * is autobind (an empty address: the kernel picks an abstract name);
 * elsewhere a temporary path that unix_close() removes.
 */
int unix_dgram_dial(struct sock *s, const struct addr *a);

/* chmod(2) of the socket file s made, as core/transport.h's sock_set_file_mode() describes. */
int unix_set_file_mode(struct sock *s, mode_t mode);

#endif
