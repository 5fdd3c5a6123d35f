/* af_unix.h - what the three AF_UNIX transports share, as af_unix.c shares unix_bind and unix_release. */
#ifndef SOCKLAB_AF_UNIX_H
#define SOCKLAB_AF_UNIX_H

#include "sockops.h"

/*
 * socket(2) and bind(2) to a path or an abstract name. The socket file is
 * created without write permission for others, whatever the umask (with none
 * at all when s->file.has_mode: the caller sets the mode before listen).
 * A path is first locked (PATH.lock, flock(2), af_unix_lock.c) for as long
 * as the socket lives. Fails with:
 *  - EADDRINUSE when another socklab server holds the lock, or when the path
 *    holds a live socket (a connect(2) that does not wait is not refused);
 *  - SL_ENOTSOCK_FILE when the path holds what is not a socket (a regular
 *    file, a directory, a symlink), which is never touched;
 *  - SL_ESOCKET_DENIED when the path holds a socket this user may not
 *    connect to (another user's): whether it is alive cannot be known;
 *  - SL_EBADLOCK when PATH.lock is not a regular file (a symlink...).
 * A socket that nobody listens on any more (a server that crashed left it)
 * is removed, and bind retried. Never blocks.
 */
int unix_bind(struct sock *s, const struct addr *a);

/*
 * close(2), then unlink(2) of the socket file, if this socket created it and
 * it is still that file, then the lock file, and the lock is released.
 */
int unix_close(struct sock *s);

/*
 * A datagram client: socket(2), then bind(2) to an address of its own, since
 * a server can only answer a datagram socket that has a name. On Linux that
 * is autobind (an empty address: the kernel picks an abstract name);
 * elsewhere a temporary path that unix_close() removes.
 */
int unix_dgram_dial(struct sock *s, const struct addr *a);

/*
 * af_unix_lock.c: takes flock(2) on PATH.lock for s, without waiting. 0, or
 * -1: EADDRINUSE when another server holds it, SL_EBADLOCK when PATH.lock is
 * not a regular file, or open(2)'s errno.
 */
int unix_lock_take(struct sock *s, const char *path);
/* Removes PATH.lock while still holding it, then releases it. Nothing when s holds no lock. */
void unix_lock_drop(struct sock *s, const char *path);

/* chmod(2) of the socket file s made, as core/transport.h's sock_set_file_mode() describes. */
int unix_set_file_mode(struct sock *s, mode_t mode);

#endif
