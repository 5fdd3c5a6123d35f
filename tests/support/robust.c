/* robust.c - what the robustness suites share: socket files, leftovers, and the hostile tests' scene. */
#include "robust.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"

#define UDP_RETRY_MS 250
#define UDP_TRIES 40

void dir_listing(const char *dir, char *out, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		snprintf(out + strlen(out), len - strlen(out), "%s/", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

int marked_process_left(const char *marker)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL) {
		char path[300], env[65536];
		if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(env, 1, sizeof env - 1, f);
		fclose(f);
		env[n] = '\0';
		for (size_t i = 0; i < n && !found; i += strlen(env + i) + 1)
			found = strcmp(env + i, marker) == 0;
	}
	if (d)
		closedir(d);
	return found;
}

static size_t unix_idx[16];

size_t unix_transport_count(void)
{
	size_t n = 0;
	for (size_t i = 0; transport_registry[i] && n < 16; i++)
		if (transport_has_socket_file(transport_registry[i]))
			unix_idx[n++] = i;
	return n;
}

size_t *unix_transport_indexes(void)
{
	unix_transport_count();
	return unix_idx;
}

int start_unix_echo(struct test_server *srv, const struct transport *t, const char *dir, mode_t mask, const char *mode)
{
	char ep[256];
	const char *argv[] = { "socklab", "echo-server", "--quiet", ep, NULL, NULL, NULL };

	snprintf(ep, sizeof ep, "%s:%s/s.sock", t->scheme, dir);
	if (mode)
		argv[3] = "--mode", argv[4] = mode, argv[5] = ep;
	mode_t old = umask(mask); /* the server inherits it */
	int r = test_server_start(srv, argv);
	umask(old);
	return r;
}

mode_t file_mode(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

void scene_start(struct scene *sc, size_t i, rlim_t nofile)
{
	char ep[256];
	struct rlimit old, lim;

	memset(sc, 0, sizeof *sc);
	sc->t = transport_registry[i];
	test_tmpdir(sc->dir, sizeof sc->dir);
	test_server_endpoint(sc->t, sc->dir, "hostile", ep, sizeof ep);
	const char *argv[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	cr_assert(getrlimit(RLIMIT_NOFILE, &old) == 0);
	lim = old;
	if (nofile)
		lim.rlim_cur = nofile; /* the server inherits it */
	cr_assert(setrlimit(RLIMIT_NOFILE, &lim) == 0);
	int r = test_server_start(&sc->srv, argv);
	cr_assert(setrlimit(RLIMIT_NOFILE, &old) == 0);
	cr_assert(r == 0, "%s: echo-server did not start", sc->t->scheme);
	cr_assert(test_dial(&sc->good, sc->srv.endpoint) == 0, "%s: %s", sc->srv.endpoint, strerror(errno));
	good_round(sc);
	sc->base_fds = server_fds(sc);
}

/* Message transports: send, and wait for the echo of this very message. */
static void message_round(struct scene *sc, const unsigned char *msg, size_t len, uint64_t seq)
{
	unsigned char reply[GOOD_MAX + 1];
	int tries = sock_is_reliable(&sc->good) ? 1 : UDP_TRIES;

	cr_assert(sock_set_recv_timeout(&sc->good, sock_is_reliable(&sc->good) ? TEST_WAIT_S * 1000 : UDP_RETRY_MS) == 0);
	for (int t = 0; t < tries; t++) {
		cr_assert(sock_send_all(&sc->good, msg, len) == (ssize_t)len, "%s: good client: send: %s", sc->t->scheme,
			  strerror(errno));
		for (;;) {
			ssize_t n = sock_recv_reply(&sc->good, reply, sizeof reply, NULL);
			if (n < 0 && errno == SL_ETIMEDOUT_REPLY && tries > 1)
				break; /* lost in a flood: UDP says nothing, the client sends again */
			cr_assert(n >= 8, "%s: good client, round %lu: %s", sc->t->scheme, sc->rounds,
				  n < 0 ? strerror(errno) : "short reply");
			uint64_t got;
			memcpy(&got, reply, 8);
			if (got < seq)
				continue; /* a late echo of an earlier round */
			cr_assert((size_t)n == len && memcmp(reply, msg, len) == 0,
				  "%s: good client, round %lu: the echo differs", sc->t->scheme, sc->rounds);
			return;
		}
	}
	cr_assert_fail("%s: good client, round %lu: no echo in %d tries", sc->t->scheme, sc->rounds, tries);
}

void good_round(struct scene *sc)
{
	unsigned char msg[GOOD_MAX];
	uint64_t seq = ++sc->rounds;
	size_t len = 8 + (size_t)(seq * 7919 % (GOOD_MAX - 8));

	memcpy(msg, &seq, 8);
	test_fill_random(msg + 8, len - 8, (unsigned)seq);
	if (sock_keeps_boundaries(&sc->good))
		message_round(sc, msg, len, seq);
	else
		cr_assert(test_echo_once(&sc->good, msg, len) == 0, "%s: good client, round %lu: %s", sc->t->scheme,
			  sc->rounds, strerror(errno));
}

void good_rounds(struct scene *sc, int n)
{
	while (n-- > 0)
		good_round(sc);
}

void hostile_dial(struct scene *sc, struct sock *h)
{
	cr_assert(test_dial(h, sc->srv.endpoint) == 0, "%s: a hostile client could not connect: %s", sc->t->scheme,
		  strerror(errno));
}

size_t hostile_flood(struct sock *h, size_t total, size_t piece, int idle_ms)
{
	char *junk = malloc(piece);
	size_t sent = 0;

	cr_assert(junk && sock_set_nonblocking(h) == 0);
	test_fill_random(junk, piece, 77);
	while (sent < total) {
		size_t len = total - sent < piece ? total - sent : piece;
		ssize_t n = sock_send(h, junk, len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			if (sys_wait(h->fd, 1, idle_ms) != 1)
				break; /* it takes nothing more: the server stopped reading */
			continue;
		}
		if (n < 0)
			break;
		sent += (size_t)n;
	}
	free(junk);
	return sent;
}

int server_fds(const struct scene *sc)
{
	char path[64];
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)sc->srv.pid);
	DIR *d = opendir(path);
	cr_assert(d, "the server is gone");
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2;
}

/* A number after key in /proc/PID/status. */
static long status_value(const struct scene *sc, const char *key)
{
	char path[64], line[256];
	long v = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)sc->srv.pid);
	FILE *f = fopen(path, "r");
	cr_assert(f, "the server is gone");
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

long server_rss_kb(const struct scene *sc)
{
	return status_value(sc, "VmRSS:");
}

long server_peak_rss_kb(const struct scene *sc)
{
	return status_value(sc, "VmHWM:");
}

long server_cpu_ms(const struct scene *sc)
{
	char path[64], buf[1024];
	unsigned long utime = 0, stime = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)sc->srv.pid);
	FILE *f = fopen(path, "r");
	cr_assert(f, "the server is gone");
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted after the command name, which is in parentheses and may hold spaces. */
	char *p = strrchr(buf, ')');
	cr_assert(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2);
	return (long)((utime + stime) * 1000 / (unsigned long)sysconf(_SC_CLK_TCK));
}

void settle(struct scene *sc, int fds)
{
	for (int k = 0; k < 2000 && server_fds(sc) != fds; k++)
		good_round(sc);
	cr_assert_eq(server_fds(sc), fds, "%s: the server holds %d descriptors, expected %d", sc->t->scheme,
		     server_fds(sc), fds);
}

void scene_end(struct scene *sc, char **stderr_text)
{
	good_round(sc);
	settle(sc, sc->base_fds);
	cr_assert(kill(sc->srv.pid, 0) == 0, "%s: the server died", sc->t->scheme);
	sock_close(&sc->good);
	int st = test_server_stop(&sc->srv, SIGTERM);
	char *err = test_server_stderr(&sc->srv);
	cr_expect_eq(st, 0, "%s: echo-server exit %d (128 + 13 would be SIGPIPE); stderr:\n%s", sc->t->scheme, st, err);
	test_rmdir(sc->dir);
	if (stderr_text)
		*stderr_text = err;
	else
		free(err);
}
