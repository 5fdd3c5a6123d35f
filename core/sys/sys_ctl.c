/* sys_ctl.c - control messages read without a system call: a walk that trusts no length, and the trace's words for them. */
#ifdef __linux__
#define _GNU_SOURCE /* struct ucred, SCM_CREDENTIALS (unix(7)) */
#endif
#include "sys_msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sys_msg_os.h"

const size_t sys_ctl_space = SYS_CTL_SPACE;

/* One control message the walk found: where its payload is and how long it is. */
struct cmsg_view {
	int level, type;
	const unsigned char *data;
	size_t len;
};

/*
 * Calls fn for each control message in control[0, len), in order, and
 * returns 0; or -1 when a header's length is shorter than a header or runs
 * past the end (the walk stops there: nothing after it can be trusted).
 * Headers are copied out, never read in place, so no alignment is assumed.
 */
static int walk(const void *control, size_t len, void (*fn)(const struct cmsg_view *v, void *ctx), void *ctx)
{
	const unsigned char *p = control;
	const size_t hdr = CMSG_LEN(0); /* where the payload starts */
	size_t off = 0;

	if (!p)
		return 0;
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr h;
		memcpy(&h, p + off, sizeof h);
		size_t clen = (size_t)h.cmsg_len;
		if (clen < hdr || clen > len - off)
			return -1;
		struct cmsg_view v = { h.cmsg_level, h.cmsg_type, p + off + hdr, clen - hdr };
		fn(&v, ctx);
		size_t step = CMSG_SPACE(v.len); /* the next header starts aligned; the last one's padding may be cut */
		if (step > len - off)
			break;
		off += step;
	}
	return 0;
}

/* The walk's state while sys_ctl_parse() fills a struct sys_ctl. */
struct parse {
	struct sys_ctl *ctl;
	size_t keep;
	int discard;
	void (*drop)(int fd, void *ctx);
	void *ctx;
};

/* A descriptor that arrived: kept while there is room and the caller wants it, otherwise handed to drop. */
static void take_fd(struct parse *ps, int fd)
{
	struct sys_ctl *ctl = ps->ctl;

	if (fd < 0) { /* never from the kernel: not a descriptor, so nothing to close */
		ctl->unknown++;
		return;
	}
	if (!ps->discard && ctl->nfds < ps->keep && ctl->nfds < SYS_FDS_MAX) {
		ctl->fds[ctl->nfds++] = fd;
		return;
	}
	ctl->closed++;
	if (ps->drop)
		ps->drop(fd, ps->ctx);
}

static void parse_one(const struct cmsg_view *v, void *ctx)
{
	struct parse *ps = ctx;
	struct sys_ctl *ctl = ps->ctl;
	int fd;

	if (v->level != SOL_SOCKET) {
		ctl->unknown++;
	} else if (v->type == SCM_RIGHTS) {
		for (size_t i = 0; i + sizeof fd <= v->len; i += sizeof fd) {
			memcpy(&fd, v->data + i, sizeof fd);
			take_fd(ps, fd);
		}
		ctl->unknown += v->len % sizeof fd != 0; /* a partial number: not from the kernel */
#ifdef SCM_PIDFD
	} else if (v->type == SCM_PIDFD && v->len == sizeof fd) {
		memcpy(&fd, v->data, sizeof fd);
		if (fd >= 0 && ctl->pidfd < 0 && !ps->discard)
			ctl->pidfd = fd;
		else
			take_fd(&(struct parse){ ctl, 0, 1, ps->drop, ps->ctx }, fd); /* a second one, or a cut message */
#endif
#ifdef SCM_CREDENTIALS
	} else if (v->type == SCM_CREDENTIALS && v->len >= sizeof(struct ucred) && !ctl->has_cred) {
		struct ucred u;
		memcpy(&u, v->data, sizeof u);
		ctl->has_cred = 1;
		ctl->cred.pid = (long)u.pid;
		ctl->cred.uid = u.uid == (uid_t)-1 ? -1 : (long)u.uid;
		ctl->cred.gid = u.gid == (gid_t)-1 ? -1 : (long)u.gid;
#endif
	} else {
		ctl->unknown++;
	}
}

void sys_ctl_parse(const void *control, size_t len, size_t keep, int discard, struct sys_ctl *ctl,
		   void (*drop)(int fd, void *ctx), void *ctx)
{
	struct parse ps = { ctl, keep, discard, drop, ctx };

	memset(ctl, 0, sizeof *ctl);
	ctl->pidfd = -1;
	if (walk(control, len, parse_one, &ps) < 0)
		ctl->unknown++;
}

/* Where sys_ctl_format() writes. */
struct format {
	char *out;
	size_t len, used;
};

static void put(struct format *f, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void put(struct format *f, const char *fmt, ...)
{
	va_list ap;

	if (f->used >= f->len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(f->out + f->used, f->len - f->used, fmt, ap);
	va_end(ap);
	f->used = n < 0 ? f->len : f->used + (size_t)n;
}

static void format_one(const struct cmsg_view *v, void *ctx)
{
	struct format *f = ctx;
	size_t n = v->len / sizeof(int);
	int fd;

	put(f, "%s", f->used ? ", " : "");
	if (v->level == SOL_SOCKET && v->type == SCM_RIGHTS) {
		put(f, "SCM_RIGHTS [");
		for (size_t i = 0; i < n && i < 8; i++) {
			memcpy(&fd, v->data + i * sizeof fd, sizeof fd);
			put(f, "%s%d", i ? " " : "", fd);
		}
		put(f, n > 8 ? " ... %zu in all]" : "]", n);
#ifdef SCM_PIDFD
	} else if (v->level == SOL_SOCKET && v->type == SCM_PIDFD && v->len == sizeof fd) {
		memcpy(&fd, v->data, sizeof fd);
		put(f, "SCM_PIDFD %d", fd);
#endif
#ifdef SCM_CREDENTIALS
	} else if (v->level == SOL_SOCKET && v->type == SCM_CREDENTIALS && v->len >= sizeof(struct ucred)) {
		struct ucred u;
		memcpy(&u, v->data, sizeof u);
		put(f, "SCM_CREDENTIALS {pid %ld, uid %ld, gid %ld}", (long)u.pid, u.uid == (uid_t)-1 ? -1L : (long)u.uid,
		    u.gid == (gid_t)-1 ? -1L : (long)u.gid);
#endif
	} else {
		put(f, "level %d type %d (%zu bytes)", v->level, v->type, v->len);
	}
}

const char *sys_ctl_format(const void *control, size_t len, char *out, size_t outlen)
{
	struct format f = { out, outlen, 0 };

	if (outlen)
		out[0] = '\0';
	if (walk(control, len, format_one, &f) < 0)
		put(&f, "%s(a control header whose length does not add up)", f.used ? ", " : "");
	return out;
}
