/* helpers_net.c - the tests' own library-level clients, and foreign peers run and followed on readiness. */
#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "demos/transfer/transfer_cli.h"

int test_dial(struct sock *s, const char *endpoint)
{
	struct endpoint ep;
	char why[256];
	int gai;

	sock_init(s);
	if (endpoint_parse(endpoint, ENDPOINT_CLIENT, &ep, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	return sock_dial_endpoint(s, &ep, &gai);
}

int test_echo_once(struct sock *s, const void *msg, size_t len)
{
	char *reply = malloc(len + 1);
	size_t got = 0;
	int rc = -1;

	if (!reply || sock_set_recv_timeout(s, TEST_WAIT_S * 1000) < 0 || sock_send_all(s, msg, len) < 0)
		goto out;
	if (sock_keeps_boundaries(s)) {
		int truncated = 0;
		ssize_t n = sock_recv_reply(s, reply, len + 1, &truncated);
		if (n < 0)
			goto out;
		got = (size_t)n;
	} else if (sock_recv_exact(s, reply, len, &got) < 0) {
		goto out;
	}
	rc = got == len && memcmp(reply, msg, len) == 0 ? 0 : -1;
	if (rc < 0)
		errno = SL_EMISMATCH;
out:
	free(reply);
	return rc;
}

int test_readable(int fd)
{
	return sys_wait(fd, 0, TEST_WAIT_S * 1000) == 1;
}

void test_abstract_name(const char *tag, char *out, size_t len)
{
	static int seq;
	snprintf(out, len, "socklab-test-%d-%s-%d", (int)getpid(), tag, seq++);
}

void test_fill_random(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	unsigned long long x = seed * 2654435761ULL + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		p[i] = (unsigned char)(x >> 24);
	}
}

static void keep(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = (*len + n + 1) * 2;
		char *b = realloc(*buf, c);
		if (!b)
			return;
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

int test_peer_start(struct test_peer *p, const char *const argv[])
{
	int in[2], out[2], err[2];

	memset(p, 0, sizeof *p);
	p->in = p->out = p->err = -1;
	keep(&p->outbuf, &p->outlen, &p->outcap, "", 0);
	keep(&p->errbuf, &p->errlen, &p->errcap, "", 0);
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
		return -1;
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		setpgid(0, 0);
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* a test that fails half-way leaves no peer running */
#endif
		dup2(in[0], 0), dup2(out[1], 1), dup2(err[1], 2);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		const char *prog = strcmp(argv[0], "socklab") == 0 ? test_socklab() : argv[0];
		execvp(prog, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	setpgid(p->pid, p->pid); /* also here: whichever runs first, the group exists before we signal it */
	signal(SIGPIPE, SIG_IGN);
	close(in[0]), close(out[1]), close(err[1]);
	p->in = in[1], p->out = out[0], p->err = err[0];
	return 0;
}

int test_peer_write(struct test_peer *p, const void *buf, size_t len)
{
	return transfer_write_all(p->in, buf, len);
}

void test_peer_close_input(struct test_peer *p)
{
	if (p->in >= 0)
		close(p->in);
	p->in = -1;
}

/* Reads what is ready on stdout and stderr, waiting at most until deadline. 0, or -1 (both closed, or time up). */
static int pump(struct test_peer *p, long long deadline)
{
	struct pollfd f[2] = { { .fd = p->out, .events = POLLIN }, { .fd = p->err, .events = POLLIN } };
	long long left = deadline - sys_now_ms();
	char buf[65536];

	if ((p->out < 0 && p->err < 0) || left <= 0)
		return -1;
	int r = poll(f, 2, (int)left);
	if (r < 0 && errno != EINTR)
		return -1;
	for (int i = 0; r > 0 && i < 2; i++) {
		if (f[i].fd < 0 || !(f[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(f[i].fd, buf, sizeof buf);
		if (n <= 0) {
			close(f[i].fd);
			*(i == 0 ? &p->out : &p->err) = -1;
		} else if (i == 0) {
			keep(&p->outbuf, &p->outlen, &p->outcap, buf, (size_t)n);
		} else {
			keep(&p->errbuf, &p->errlen, &p->errcap, buf, (size_t)n);
		}
	}
	return 0;
}

const char *test_peer_wait(struct test_peer *p, int stream, const char *needle)
{
	long long deadline = sys_now_ms() + TEST_WAIT_S * 1000LL;

	for (;;) {
		const char *hit = strstr(stream == 1 ? p->outbuf : p->errbuf, needle);
		if (hit)
			return hit;
		if ((stream == 1 ? p->out : p->err) < 0 || pump(p, deadline) < 0)
			return NULL;
	}
}

int test_peer_wait_line(struct test_peer *p, int stream, const char *needle, char *line, size_t len)
{
	long long deadline = sys_now_ms() + TEST_WAIT_S * 1000LL;

	for (;;) {
		const char *buf = stream == 1 ? p->outbuf : p->errbuf;
		const char *hit = strstr(buf, needle), *end = hit ? strchr(hit, '\n') : NULL;
		if (end) {
			while (hit > buf && hit[-1] != '\n')
				hit--;
			snprintf(line, len, "%.*s", (int)(end - hit), hit);
			return 0;
		}
		if ((stream == 1 ? p->out : p->err) < 0 || pump(p, deadline) < 0)
			return -1;
	}
}

int test_peer_wait_exit(struct test_peer *p)
{
	long long deadline = sys_now_ms() + TEST_WAIT_S * 1000LL;
	int st = 0;

	if (p->pid <= 0)
		return -1;
	while ((p->out >= 0 || p->err >= 0) && pump(p, deadline) == 0)
		;
	if (p->out >= 0 || p->err >= 0)
		kill(-p->pid, SIGKILL); /* it outlived TEST_WAIT_S: the test sees 128 + 9 */
	waitpid(p->pid, &st, 0);
	kill(-p->pid, SIGKILL); /* children it left behind */
	p->pid = 0;
	test_peer_close_input(p);
	for (int *fd = &p->out; fd <= &p->err; fd++)
		if (*fd >= 0)
			close(*fd), *fd = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int test_peer_stop(struct test_peer *p, int sig)
{
	if (p->pid <= 0)
		return -1;
	kill(-p->pid, sig);
	return test_peer_wait_exit(p);
}

void test_peer_free(struct test_peer *p)
{
	if (p->pid > 0)
		test_peer_stop(p, SIGKILL);
	free(p->outbuf);
	free(p->errbuf);
	p->outbuf = p->errbuf = NULL;
}

/* The inode of socket fd "socket:[INODE]", or 0. */
static unsigned long socket_inode(const char *link)
{
	unsigned long ino = 0;
	return sscanf(link, "socket:[%lu]", &ino) == 1 ? ino : 0;
}

/* The local port of the socket with this inode in a /proc/net/udp-style table, or 0. */
static unsigned port_in_table(const char *table, unsigned long ino)
{
	FILE *f = fopen(table, "r");
	char line[512];
	unsigned port = 0;

	if (!f)
		return 0;
	while (!port && fgets(line, sizeof line, f)) {
		char local[128];
		unsigned p;
		unsigned long i;
		/* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*s %127s %*s %*s %*s %*s %*s %*s %*s %lu", local, &i) == 2 && i == ino &&
		    sscanf(strrchr(local, ':') + 1, "%x", &p) == 1)
			port = p;
	}
	fclose(f);
	return port;
}

unsigned test_udp_port_of(pid_t pid)
{
	char dir[64], path[320], link[64];
	struct dirent *e;
	unsigned port = 0;

	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	while (!port && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		unsigned long ino = socket_inode(link);
		if (ino && !(port = port_in_table("/proc/net/udp", ino)))
			port = port_in_table("/proc/net/udp6", ino);
	}
	closedir(d);
	return port;
}
