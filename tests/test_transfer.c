/* test_transfer.c - socklab send and recv: files byte-exact over every transport, 100 MB over streams, foreign peers. */
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
#include "tests/support/helpers_transfer.h"

#define HUNDRED_MB (100 * 1000 * 1000)

ParameterizedTestParameters(transfer, file) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }
ParameterizedTestParameters(transfer, pipes) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }
ParameterizedTestParameters(transfer, hundred_megabytes) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }

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
	uint32_t sum = test_make_file(in, 300 * 1000 + 7, 1);
	test_start_recv(&srv, t, dir, out);
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
		cr_log_info("udp lost datagrams even when paced (counted, and both said so):\n%s", log);
	} else {
		cr_expect_eq(r.status, 0, "%s: send: %s", t->scheme, r.err);
		cr_expect_eq(recv_status, 0, "%s: recv: %s", t->scheme, log);
		cr_expect(test_same_file(in, out), "%s: the file changed on the way", t->scheme);
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
	char dir[64], in[128], out[128], line[96];
	struct test_server srv;
	struct run_result r;

	if (transport_keeps_boundaries(t))
		cr_skip_test("%s: a message transport (the file test covers it)", t->scheme);
	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	uint32_t sum = test_make_file(in, HUNDRED_MB, 3);
	test_start_recv(&srv, t, dir, out);
	const char *argv[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	char *log = test_server_stderr(&srv);
	snprintf(line, sizeof line, "cksum %lu %d\n", (unsigned long)sum, HUNDRED_MB);
	cr_expect(strstr(r.err, line), "%s: %s", t->scheme, r.err);
	/* The receiver checks what came against the sender's own end marker: both sums are the file's. */
	snprintf(line, sizeof line, "cksum %lu %d (the sender's: %lu %d)\n", (unsigned long)sum, HUNDRED_MB,
		 (unsigned long)sum, HUNDRED_MB);
	cr_expect(strstr(log, line), "%s: %s", t->scheme, log);
	cr_expect(test_same_file(in, out), "%s: 100 MB changed on the way", t->scheme);
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
	test_make_file(in, 1000 * 1000, 4);

	/* nc -N: at the end of its input, shutdown(SHUT_WR), the end of stream recv waits for. */
	test_start_recv(&srv, transport_find("tcp", 3), dir, out);
	const char *nc[] = { "sh", "-c", "exec nc -N 127.0.0.1 \"$0\" < \"$1\"", strrchr(srv.endpoint, ':') + 1, in, NULL };
	cr_assert_eq(test_run(nc, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "nc: %s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0);
	cr_expect(test_same_file(in, out), "from nc");

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
	cr_expect(test_same_file(in, out), "to nc");

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
	cr_expect(test_same_file(in, out), "to socat");
	test_rmdir(dir);
}
