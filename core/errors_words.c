/* errors_words.c - errno values and lookup failures in socklab's own words: the same on every libc. */
#include "errors.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

/*
 * Every errno socklab's messages can show, its name and its text. The texts
 * are glibc's (which follow POSIX's descriptions), with a lower-case first
 * letter: musl says "address in use" where glibc says "address already in
 * use", and a learner, a test or a doc should read the same words everywhere.
 * tests/test_errors_words.c checks each text against glibc's strerror().
 */
#define E(x, text) { x, #x, text }
static const struct errno_entry {
	int err;
	const char *name, *text;
} errno_table[] = {
	E(EPERM, "operation not permitted"), E(ENOENT, "no such file or directory"), E(ESRCH, "no such process"),
	E(EINTR, "interrupted system call"), E(EIO, "input/output error"), E(ENXIO, "no such device or address"),
	E(E2BIG, "argument list too long"), E(ENOEXEC, "exec format error"), E(EBADF, "bad file descriptor"),
	E(ECHILD, "no child processes"), E(EAGAIN, "resource temporarily unavailable"),
	E(ENOMEM, "cannot allocate memory"), E(EACCES, "permission denied"), E(EFAULT, "bad address"),
	E(EBUSY, "device or resource busy"), E(EEXIST, "file exists"), E(EXDEV, "invalid cross-device link"),
	E(ENODEV, "no such device"), E(ENOTDIR, "not a directory"), E(EISDIR, "is a directory"),
	E(EINVAL, "invalid argument"), E(ENFILE, "too many open files in system"), E(EMFILE, "too many open files"),
	E(ENOTTY, "inappropriate ioctl for device"), E(ETXTBSY, "text file busy"), E(EFBIG, "file too large"),
	E(ENOSPC, "no space left on device"), E(ESPIPE, "illegal seek"), E(EROFS, "read-only file system"),
	E(EMLINK, "too many links"), E(EPIPE, "broken pipe"), E(ERANGE, "numerical result out of range"),
	E(EDEADLK, "resource deadlock avoided"), E(ENAMETOOLONG, "file name too long"), E(ENOLCK, "no locks available"),
	E(ENOSYS, "function not implemented"), E(ENOTEMPTY, "directory not empty"),
	E(ELOOP, "too many levels of symbolic links"), E(ENOMSG, "no message of desired type"),
	E(EPROTO, "protocol error"), E(EBADMSG, "bad message"), E(EOVERFLOW, "value too large for defined data type"),
	E(ENOTSOCK, "socket operation on non-socket"), E(EDESTADDRREQ, "destination address required"),
	E(EMSGSIZE, "message too long"), E(EPROTOTYPE, "protocol wrong type for socket"),
	E(ENOPROTOOPT, "protocol not available"), E(EPROTONOSUPPORT, "protocol not supported"),
	E(EOPNOTSUPP, "operation not supported"), E(EAFNOSUPPORT, "address family not supported by protocol"),
	E(EADDRINUSE, "address already in use"), E(EADDRNOTAVAIL, "cannot assign requested address"),
	E(ENETDOWN, "network is down"), E(ENETUNREACH, "network is unreachable"),
	E(ENETRESET, "network dropped connection on reset"), E(ECONNABORTED, "software caused connection abort"),
	E(ECONNRESET, "connection reset by peer"), E(ENOBUFS, "no buffer space available"),
	E(EISCONN, "transport endpoint is already connected"), E(ENOTCONN, "transport endpoint is not connected"),
	E(ETIMEDOUT, "connection timed out"), E(ECONNREFUSED, "connection refused"), E(EHOSTUNREACH, "no route to host"),
	E(EALREADY, "operation already in progress"), E(EINPROGRESS, "operation now in progress"),
	E(EDQUOT, "disk quota exceeded"), E(ECANCELED, "operation canceled"),
	E(EILSEQ, "invalid or incomplete multibyte or wide character"),
#if EWOULDBLOCK != EAGAIN
	E(EWOULDBLOCK, "resource temporarily unavailable"),
#endif
#if ENOTSUP != EOPNOTSUPP
	E(ENOTSUP, "operation not supported"),
#endif
	/* Not in POSIX, or optional there: BSD's and Linux's. */
#ifdef ENODATA
	E(ENODATA, "no data available"),
#endif
#ifdef ETOOMANYREFS
	E(ETOOMANYREFS, "too many references: cannot splice"),
#endif
#ifdef ESOCKTNOSUPPORT
	E(ESOCKTNOSUPPORT, "socket type not supported"),
#endif
#ifdef EPFNOSUPPORT
	E(EPFNOSUPPORT, "protocol family not supported"),
#endif
#ifdef ESHUTDOWN
	E(ESHUTDOWN, "cannot send after transport endpoint shutdown"),
#endif
#ifdef EHOSTDOWN
	E(EHOSTDOWN, "host is down"),
#endif
};
#undef E

/* socklab's own codes read like errno values in messages. */
static const struct errno_entry own_table[] = {
	{ SL_ENOTSOCK_FILE, "ENOTSOCK_FILE", "a file that is not a socket is in the way" },
	{ SL_ETIMEDOUT_REPLY, "ETIMEDOUT_REPLY", "no reply within the timeout" },
	{ SL_ESHORT, "ESHORT", "the peer closed the connection before the whole reply came back" },
	{ SL_EMISMATCH, "EMISMATCH", "the reply differs from the message sent" },
	{ SL_ESOCKET_DENIED, "ESOCKET_DENIED", "a socket file this user may not connect to is in the way" },
	{ SL_EBADLOCK, "EBADLOCK", "the lock file beside the socket file is not a regular file" },
};

/* getaddrinfo's failures, in glibc's words too (EAI_OVERFLOW: POSIX's, where glibc has none). */
static const struct errno_entry lookup_table[] = {
	{ EAI_AGAIN, "EAI_AGAIN", "temporary failure in name resolution" },
	{ EAI_BADFLAGS, "EAI_BADFLAGS", "bad value for ai_flags" },
	{ EAI_FAIL, "EAI_FAIL", "non-recoverable failure in name resolution" },
	{ EAI_FAMILY, "EAI_FAMILY", "ai_family not supported" },
	{ EAI_MEMORY, "EAI_MEMORY", "memory allocation failure" },
	{ EAI_NONAME, "EAI_NONAME", "name or service not known" },
	{ EAI_SERVICE, "EAI_SERVICE", "servname not supported for ai_socktype" },
	{ EAI_SOCKTYPE, "EAI_SOCKTYPE", "ai_socktype not supported" },
	{ EAI_SYSTEM, "EAI_SYSTEM", "system error" },
	{ EAI_OVERFLOW, "EAI_OVERFLOW", "argument buffer overflow" },
};

#define COUNT(table) (sizeof table / sizeof table[0])

static const struct errno_entry *find(const struct errno_entry *table, size_t n, int err)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].err == err)
			return &table[i];
	return NULL;
}

/* The library's words for a code no table has: its own text, lower-cased as socklab prints it. */
static const char *lowered(const char *libc)
{
	static _Thread_local char text[128];

	snprintf(text, sizeof text, "%s", libc);
	/* "Connection refused" -> "connection refused", but keep "IPv6..." as it is. */
	if (isupper((unsigned char)text[0]) && !isupper((unsigned char)text[1]))
		text[0] = (char)tolower((unsigned char)text[0]);
	return text;
}

const char *errno_name(int err)
{
	static _Thread_local char unknown[24];
	const struct errno_entry *e = find(errno_table, COUNT(errno_table), err);

	if (e || (e = find(own_table, COUNT(own_table), err)))
		return e->name;
	snprintf(unknown, sizeof unknown, "E?%d", err);
	return unknown;
}

const char *errno_text(int err)
{
	const struct errno_entry *e = find(errno_table, COUNT(errno_table), err);

	if (e || (e = find(own_table, COUNT(own_table), err)))
		return e->text;
	return lowered(strerror(err));
}

const char *lookup_text(int code)
{
	const struct errno_entry *e = find(lookup_table, COUNT(lookup_table), code);

	return e ? e->text : lowered(gai_strerror(code));
}

const char *errno_known(size_t i, int *err)
{
	if (i >= COUNT(errno_table))
		return NULL;
	*err = errno_table[i].err;
	return errno_table[i].name;
}
