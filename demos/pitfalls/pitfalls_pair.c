/* pitfalls_pair.c - a server and a client in one process for socklab pitfalls, and the stale socket file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "pitfalls.h"

#define WAIT_MS 2000

ssize_t pair_recv(struct pair *p, void *buf, size_t len, int *truncated)
{
	struct addr from;

	if (sock_is_connected(&p->server))
		return sock_recv(p->reader, buf, len, truncated);
	return sock_recvfrom(&p->server, buf, len, &from, truncated);
}

int pair_wait_bytes(struct pair *p, size_t n)
{
	char buf[256];

	for (long long give_up = sys_now_ms() + WAIT_MS;;) {
		int r = sys_wait(p->reader->fd, 0, WAIT_MS);
		if (r <= 0) {
			errno = r == 0 ? SL_ETIMEDOUT_REPLY : errno;
			return -1;
		}
		/* A message transport has a whole message now; a stream may have only some bytes: look, without taking. */
		if (sock_keeps_boundaries(p->reader) || n > sizeof buf ||
		    sys_recv(p->reader->fd, buf, n, MSG_PEEK) >= (ssize_t)n)
			return 0;
		if (sys_now_ms() > give_up) {
			errno = SL_ETIMEDOUT_REPLY;
			return -1;
		}
		sys_sleep_ms(1); /* some bytes are there, the rest on their way: look again in a moment */
	}
}

/* The server listens on text, the client dials where it really listens, and the server accepts. */
static int pair_open(struct pair *p, const struct pitfall *f, const char *text)
{
	struct endpoint ep, cep;
	char bound[ENDPOINT_FORMAT_MAX];
	int rc;

	sock_init(&p->server), sock_init(&p->accepted), sock_init(&p->client);
	if ((rc = cli_endpoint("pitfalls", text, ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	if (f->need == PAIR_CONNECTED && !transport_is_connected(ep.t))
		return cli_usage_error("pitfalls", "%s needs a connection: tcp, unix or unixpacket, not %s", f->name,
				       ep.t->scheme);
	if (f->need == PAIR_STREAM && transport_keeps_boundaries(ep.t))
		return cli_usage_error("pitfalls", "%s needs a byte stream: tcp or unix, not %s", f->name, ep.t->scheme);
	if ((rc = cli_listen("pitfalls", text, &ep, &p->server)) != 0)
		return rc;
	cli_bound_endpoint(&p->server, bound, sizeof bound);
	if ((rc = cli_endpoint("pitfalls", bound, ENDPOINT_CLIENT, &cep)) != 0 ||
	    (rc = cli_dial("pitfalls", bound, &cep, &p->client)) != 0)
		return rc;
	p->reader = &p->server;
	if (sock_is_connected(&p->server)) {
		if (sock_accept(&p->server, &p->accepted) < 0)
			return cli_error("pitfalls", errno, "accept", "accept on %s", bound);
		p->reader = &p->accepted;
	}
	return 0;
}

int pitfall_run(const struct pitfall *f, const char *endpoint)
{
	struct pair p;
	int rc;

	if (f->need == PAIR_NONE) {
		if (endpoint)
			return cli_usage_error("pitfalls", "%s takes no ENDPOINT", f->name);
		return f->run(NULL);
	}
	rc = pair_open(&p, f, endpoint ? endpoint : "tcp://127.0.0.1:0");
	if (rc == 0)
		rc = f->run(&p);
	fflush(stdout);
	sock_close(&p.client);
	sock_close(&p.accepted);
	sock_close(&p.server); /* removes the socket file, if there was one */
	return rc;
}

/* A unix socket's address for path. */
static int unix_addr(const char *path, struct endpoint *ep, struct addr *a)
{
	char text[256], why[256];
	size_t n;

	snprintf(text, sizeof text, "unix:%s", path);
	if (endpoint_parse(text, ENDPOINT_SERVER, ep, why, sizeof why) < 0 || endpoint_resolve(ep, ENDPOINT_SERVER, a, 1, &n))
		return -1;
	return 0;
}

static void step(const char *call, int r, int err, const char *then)
{
	if (r == 0)
		printf("%s = 0%s\n", call, then);
	else
		printf("%s = -1 %s (%s)%s\n", call, errno_name(err), errno_text(err), then);
}

int pitfall_stale_file(void)
{
	char dir[] = "/tmp/socklab-pitfall.XXXXXX", path[64];
	struct endpoint ep;
	struct addr a;
	struct sock s;
	struct stat st;
	int rc = 0;

	cli_hold_signals(); /* a stop signal waits until the directory is gone again */
	if (!mkdtemp(dir)) {
		cli_release_signals();
		return cli_error("pitfalls", errno, NULL, "make a temporary directory");
	}
	snprintf(path, sizeof path, "%s/stale.sock", dir);
	if (unix_addr(path, &ep, &a) < 0) {
		rmdir(dir);
		cli_release_signals();
		return cli_error("pitfalls", EINVAL, NULL, "make an address");
	}
	/* A server binds, listens, and dies: close() without unlink(), as a crash does. */
	int fd = sys_socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || sys_bind(fd, &a) < 0 || sys_listen(fd, 1) < 0)
		rc = cli_error("pitfalls", errno, "bind", "bind %s", path);
	if (fd >= 0)
		sys_close(fd);
	if (rc == 0) {
		printf("a server bound stale.sock and died without unlink(): the file stays, a %s\n",
		       lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) ? "socket file nobody listens on" : "file?");
		fd = sys_socket(AF_UNIX, SOCK_STREAM, 0);
		int r = sys_bind(fd, &a), err = errno;
		step("bind(stale.sock)", r, err, r ? ": the next server cannot start (Python: OSError [Errno 98])" : "");
		r = sys_connect(fd, &a), err = errno;
		step("connect(stale.sock)", r, err, r ? ": nobody listens there, so the file is stale" : "");
		sys_close(fd);
		if (sock_listen_endpoint(&s, &ep, 1, &r) < 0) {
			rc = cli_error("pitfalls", errno, "bind", "listen on stale.sock");
		} else {
			printf("socklab's unix_bind() (transports/af_unix.c) makes the same test, removes a stale file, binds again:\n"
			       "listening on stale.sock\n");
			sock_close(&s);
			printf("and its close removes the file it made: stale.sock %s\n",
			       lstat(path, &st) < 0 && errno == ENOENT ? "is gone" : "is still there?");
		}
	}
	unlink(path); /* ours, made in our own directory */
	rmdir(dir);
	cli_release_signals(); /* one that came meanwhile takes effect now */
	return rc;
}
