/* test_transfer.c - socklab send and recv: files byte-exact over every transport, 100 MB over streams, foreign peers, progress. */
#define _XOPEN_SOURCE 700 /* posix_openpt(), grantpt(), unlockpt(), ptsname(): a terminal for the progress test */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers.h"

#define HUNDRED_MB (100 * 1000 * 1000)

ParameterizedTestParameters(transfer, file) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }
ParameterizedTestParameters(transfer, pipes) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }
ParameterizedTestParameters(transfer, hundred_megabytes) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }

/* Writes len seeded random bytes to path; returns their cksum. */
static uint32_t make_file(const char *path, size_t len, unsigned seed)
{
	char *buf = malloc(len ? len : 1);
	cr_assert(buf);
	test_fill_random(buf, len, seed);
	FILE *f = fopen(path, "wb");
	cr_assert(f && fwrite(buf, 1, len, f) == len && fclose(f) == 0, "write %s", path);
	uint32_t c = xfer_cksum(xfer_crc_update(0, buf, len), len);
	free(buf);
	return c;
}

/* 1 if the two files hold the same bytes. */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	static char ba[1 << 16], bb[1 << 16];
	int same = fa && fb;

	while (same) {
		size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
		same = na == nb && memcmp(ba, bb, na) == 0;
		if (na == 0)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Starts `socklab recv [opts] ENDPOINT FILE` for t in dir. */
static void start_recv(struct test_server *srv, const struct transport *t, const char *dir, const char *out)
{
	char ep[256];

	test_server_endpoint(t, dir, "recv", ep, sizeof ep);
	const char *argv[] = { "socklab", "recv", ep, out, NULL };
	cr_assert_eq(test_server_start(srv, argv), 0, "%s: recv did not start", t->scheme);
}

/* UDP is the one transport that may lose on loopback: pace it, and give it room. */
static const char *rate_for(const struct transport *t)
{
	return transport_is_reliable(t) ? "1000M" : "20M";
}

/* A file (not a whole number of datagrams) goes across, and both reports tell the same cksum. */
ParameterizedTest(size_t *i, transfer, file)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], in[128], out[128], line[64];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	uint32_t sum = make_file(in, 300 * 1000 + 7, 1);
	start_recv(&srv, t, dir, out);
	const char *rate = rate_for(t);
	const char *argv[] = { "socklab", "send", "--rate", rate, srv.endpoint, in, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	int recv_status = test_server_stop(&srv, 0); /* it ends by itself after one transfer */
	char *log = test_server_stderr(&srv);
	snprintf(line, sizeof line, "cksum %lu 300007", (unsigned long)sum);
	if (!transport_is_reliable(t) && strstr(log, " 0 lost,") == NULL) {
		/* Loopback UDP lost some even so: then both must say so, and fail (test_xfer.c counts it exactly). */
		cr_expect_eq(r.status, 1, "%s", r.err);
		cr_expect_eq(recv_status, 1, "%s", log);
		cr_log_warn("udp lost datagrams even when paced:\n%s", log);
	} else {
		cr_expect_eq(r.status, 0, "%s: send: %s", t->scheme, r.err);
		cr_expect_eq(recv_status, 0, "%s: recv: %s", t->scheme, log);
		cr_expect(same_file(in, out), "%s: the file changed on the way", t->scheme);
		cr_expect(strstr(r.err, line), "%s: send's report: %s", t->scheme, r.err);
		cr_expect(strstr(log, line), "%s: recv's report: %s", t->scheme, log);
		if (transport_keeps_boundaries(t)) { /* 300007 bytes in 1400-byte payloads: 215 messages */
			cr_expect(strstr(log, " 215 received, 0 lost, 0 reordered, 0 duplicated\n"), "%s", log);
			cr_expect(strstr(r.err, "the receiver got 215 of 215 "), "%s", r.err);
		} else {
			cr_expect(strstr(r.err, "send() call"), "%s", r.err);
			cr_expect(strstr(log, "recv() call"), "%s", log);
		}
	}
	free(log);
	test_run_free(&r);
	test_rmdir(dir);
}

/* Standard input to standard output, through pipes: recv then says where it listens on standard error. */
ParameterizedTest(size_t *i, transfer, pipes)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[256], line[256], in[128];
	struct test_peer rx, tx;
	size_t len = 1000 * 1000;
	char *data = malloc(len);

	test_fill_random(data, len, 2);
	data[0] = '\0'; /* bytes, not text */
	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	FILE *f = fopen(in, "wb");
	cr_assert(f && fwrite(data, 1, len, f) == len && fclose(f) == 0);
	test_server_endpoint(t, dir, "recv", ep, sizeof ep);
	const char *recv[] = { "socklab", "recv", ep, NULL };
	cr_assert_eq(test_peer_start(&rx, recv), 0);
	cr_assert_eq(test_peer_wait_line(&rx, 2, "listening on ", line, sizeof line), 0, "%s: %s", t->scheme, rx.errbuf);
	/* cat | socklab send: standard input is a pipe too. */
	const char *send[] = { "sh", "-c", "cat \"$1\" | \"$0\" send --rate \"$2\" \"$3\"", test_socklab(), in, rate_for(t),
			       line + strlen("listening on "), NULL };
	cr_assert_eq(test_peer_start(&tx, send), 0);
	int status = test_peer_wait_exit(&rx); /* reads recv's output meanwhile, so that it never blocks on a full pipe */
	int sent = test_peer_wait_exit(&tx);
	if (transport_is_reliable(t) || strstr(rx.errbuf, " 0 lost,")) {
		cr_expect_eq(sent, 0, "%s: %s", t->scheme, tx.errbuf);
		cr_expect_eq(status, 0, "%s: %s", t->scheme, rx.errbuf);
		cr_expect_eq(rx.outlen, len, "%s", t->scheme);
		cr_expect(rx.outlen == len && memcmp(rx.outbuf, data, len) == 0, "%s: the data changed", t->scheme);
	}
	test_peer_free(&rx);
	test_peer_free(&tx);
	free(data);
	test_rmdir(dir);
}

/* 100 MB across a stream, byte-exact: the file compared, and both checksums. */
ParameterizedTest(size_t *i, transfer, hundred_megabytes, .timeout = 120)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], in[128], out[128], line[64];
	struct test_server srv;
	struct run_result r;

	if (transport_keeps_boundaries(t))
		cr_skip_test("%s: a message transport (the file test covers it)", t->scheme);
	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	uint32_t sum = make_file(in, HUNDRED_MB, 3);
	start_recv(&srv, t, dir, out);
	const char *argv[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	char *log = test_server_stderr(&srv);
	snprintf(line, sizeof line, "cksum %lu %d\n", (unsigned long)sum, HUNDRED_MB);
	cr_expect(strstr(r.err, line), "%s: %s", t->scheme, r.err);
	cr_expect(strstr(log, line), "%s: %s", t->scheme, log);
	cr_expect(same_file(in, out), "%s: 100 MB changed on the way", t->scheme);
	free(log);
	test_run_free(&r);
	test_rmdir(dir);
}

/* Streams are raw bytes: nc sends to socklab recv, and socklab send sends to nc and to socat. */
Test(transfer, with_nc_and_socat)
{
	char dir[64], in[128], out[128], line[256], sock[160], addr[200];
	struct test_server srv;
	struct test_peer peer;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	make_file(in, 1000 * 1000, 4);

	/* nc -N: at the end of its input, shutdown(SHUT_WR), the end of stream recv waits for. */
	start_recv(&srv, transport_find("tcp", 3), dir, out);
	const char *nc[] = { "sh", "-c", "exec nc -N 127.0.0.1 \"$0\" < \"$1\"", strrchr(srv.endpoint, ':') + 1, in, NULL };
	cr_assert_eq(test_run(nc, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "nc: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	cr_expect(same_file(in, out), "from nc");

	/* nc -l says where it listens ("Listening on localhost 40705"); at our end of stream it closes. */
	unlink(out);
	const char *ncl[] = { "sh", "-c", "exec nc -v -l 127.0.0.1 0 > \"$0\" < /dev/null", out, NULL };
	cr_assert_eq(test_peer_start(&peer, ncl), 0);
	cr_assert_eq(test_peer_wait_line(&peer, 2, "Listening on ", line, sizeof line), 0, "nc: %s", peer.errbuf);
	snprintf(addr, sizeof addr, "tcp://127.0.0.1:%s", strrchr(line, ' ') + 1);
	const char *to_nc[] = { "socklab", "send", addr, in, NULL };
	cr_assert_eq(test_run(to_nc, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "send to nc: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_peer_wait_exit(&peer), 0, "nc: %s", peer.errbuf);
	test_peer_free(&peer);
	cr_expect(same_file(in, out), "to nc");

	/* socat on a unix socket file. */
	unlink(out);
	snprintf(sock, sizeof sock, "%s/socat.sock", dir);
	snprintf(addr, sizeof addr, "UNIX-LISTEN:%s", sock);
	const char *socat[] = { "socat", "-d", "-d", "-u", addr, out, NULL };
	char creat[160];
	snprintf(creat, sizeof creat, "OPEN:%s,creat", out);
	socat[5] = creat;
	cr_assert_eq(test_peer_start(&peer, socat), 0);
	cr_assert_not_null(test_peer_wait(&peer, 2, "listening on"), "socat: %s", peer.errbuf);
	snprintf(addr, sizeof addr, "unix:%s", sock);
	const char *to_socat[] = { "socklab", "send", addr, in, NULL };
	cr_assert_eq(test_run(to_socat, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "send to socat: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_peer_wait_exit(&peer), 0, "socat: %s", peer.errbuf);
	test_peer_free(&peer);
	cr_expect(same_file(in, out), "to socat");
	test_rmdir(dir);
}

/* On a terminal, a progress line redrawn with "\r"; elsewhere, only the report. */
Test(transfer, progress_only_on_a_terminal)
{
	char dir[64], in[128], pts[64], buf[4096], text[16384] = "";
	struct test_server srv;
	struct run_result r;
	size_t len = 0;

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	make_file(in, 2 * 1000 * 1000, 5);
	start_recv(&srv, transport_find("tcp", 3), dir, "/dev/null");
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0 && ptsname(master));
	snprintf(pts, sizeof pts, "%s", ptsname(master));
	pid_t pid = fork();
	if (pid == 0) {
		int tty = open(pts, O_RDWR | O_NOCTTY), null = open("/dev/null", O_RDWR), file = open(in, O_RDONLY);
		dup2(file, 0), dup2(null, 1), dup2(tty, 2);
		execl(test_socklab(), "socklab", "send", srv.endpoint, (char *)NULL);
		_exit(127);
	}
	for (;;) { /* until the child closes the terminal: read() then fails with EIO */
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, TEST_WAIT_S * 1000) <= 0)
			break;
		ssize_t n = read(master, buf, sizeof buf);
		if (n <= 0)
			break;
		if (len + (size_t)n < sizeof text - 1)
			memcpy(text + len, buf, (size_t)n), len += (size_t)n, text[len] = '\0';
	}
	int st;
	waitpid(pid, &st, 0);
	close(master);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", text);
	cr_expect(strstr(text, "\rsend: 2000000 bytes, "), "no progress line on the terminal: %s", text);
	cr_expect(strstr(text, "send: cksum "), "%s", text);
	cr_expect_eq(test_server_stop(&srv, 0), 0);

	start_recv(&srv, transport_find("tcp", 3), dir, "/dev/null");
	const char *argv[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0);
	cr_expect(!strchr(r.err, '\r'), "progress went to a pipe: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	test_rmdir(dir);
}

/*
 * recv's acknowledgement is a datagram too, and can be lost. The sender then
 * repeats its totals, and recv must still be there to answer (its own
 * TIME_WAIT): with half of recv's datagrams dropped, every transfer completes.
 */
Test(transfer, lost_acknowledgement)
{
	for (size_t k = 0; transport_registry[k]; k++) {
		const struct transport *t = transport_registry[k];
		if (transport_is_connected(t))
			continue; /* a connection delivers the acknowledgement, or says it could not */
		for (int seed = 1; seed <= 4; seed++) {
			char dir[64], in[128], out[128], ep[256];
			struct test_server srv;
			struct run_result r;

			test_tmpdir(dir, sizeof dir);
			snprintf(in, sizeof in, "%s/in", dir);
			snprintf(out, sizeof out, "%s/out", dir);
			make_file(in, 20000, (unsigned)seed);
			test_server_endpoint(t, dir, "recv", ep, sizeof ep);
			snprintf(ep + strlen(ep), sizeof ep - strlen(ep), "?drop=0.5&seed=%d", seed);
			const char *rargv[] = { "socklab", "recv", ep, out, NULL };
			cr_assert_eq(test_server_start(&srv, rargv), 0, "%s: recv did not start", t->scheme);
			char *q = strchr(srv.endpoint, '?');
			if (q)
				*q = '\0'; /* the sender's network is a good one */
			const char *sargv[] = { "socklab", "send", "--rate", "20M", srv.endpoint, in, NULL };
			cr_assert_eq(test_run(sargv, NULL, 0, &r), 0);
			int recv_status = test_server_stop(&srv, 0);
			char *log = test_server_stderr(&srv);
			cr_expect_eq(r.status, 0, "%s, seed %d: send: %s", t->scheme, seed, r.err);
			cr_expect_eq(recv_status, 0, "%s, seed %d: recv: %s", t->scheme, seed, log);
			cr_expect(same_file(in, out), "%s, seed %d: the file changed on the way", t->scheme, seed);
			free(log);
			test_run_free(&r);
			test_rmdir(dir);
		}
	}
}
