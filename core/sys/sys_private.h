/* sys_private.h - what the traced wrappers of core/sys/ share: the send flags and how a result is written. */
#ifndef SOCKLAB_SYS_PRIVATE_H
#define SOCKLAB_SYS_PRIVATE_H

#include <sys/socket.h>

#include "trace.h"

#ifdef MSG_NOSIGNAL
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0 /* macOS: sys_socket() sets SO_NOSIGPIPE instead (sys.c) */
#endif

/* " = 3" or " = -1 EPIPE (...)" into a local char res[96]: the end of a traced call's line. */
#define RESULT(r) trace_result((long)(r), res, sizeof res)
/* "1 byte", "70000 bytes": the trace counts as a reader would. */
#define BYTES(n) (n), (n) == 1 ? "byte" : "bytes"

#endif
