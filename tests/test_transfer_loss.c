/* test_transfer_loss.c - datagram losses counted exactly: a slow receiver, an impaired network, a vanished sender, a lost ACK. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers_transfer.h"

#define BLOCK 1400 /* send's default payload */

/* The report line "recv: 715 datagrams sent, 7 received, 708 lost, 0 reordered, 0 duplicated", read into c. */
static int counts(const char *log, unsigned long long c[5])
{
	for (const char *p = log; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (sscanf(p, "recv: %llu datagrams sent, %llu received, %llu lost, %llu reordered, %llu duplicated", &c[0],
			   &c[1], &c[2], &c[3], &c[4]) == 5)
			return 1;
	return 0;
}

static unsigned long long rcvbuf_errors(void)
{
	char line[1024];
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/net/snmp", "r");
	int udp = 0;

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Udp: ", 5) == 0 && udp++ == 1) /* the second Udp: line holds the numbers */
			sscanf(line + 5, "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
	if (f)
		fclose(f);
	return v[4]; /* InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors ... */
}

/*
 * The output holds the blocks that arrived, in order, and nothing else: walk
 * it against the input, block by block.
 */
static void expect_blocks_in_order(const char *in, size_t inlen, const char *out, size_t outlen, unsigned long long n)
{
	size_t at = 0, blocks = 0;

	for (size_t b = 0; b * BLOCK < inlen && at < outlen; b++) {
		size_t len = inlen - b * BLOCK < BLOCK ? inlen - b * BLOCK : BLOCK;
		if (at + len <= outlen && memcmp(out + at, in + b * BLOCK, len) == 0)
			at += len, blocks++;
	}
	cr_expect_eq(at, outlen, "the output holds bytes that are no block of the input, in order");
	cr_expect_eq(blocks, n, "blocks written");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(4 << 20);
	*len = f ? fread(buf, 1, 4 << 20, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

/* UDP has no flow control: a fast sender and a slow receiver with a tiny buffer lose, and both count it exactly. */
Test(transfer_loss, udp_loss_is_counted_exactly)
{
	char dir[64], in[128], out[128], ep[64] = "udp://127.0.0.1:0";
	struct test_server srv;
	struct run_result r;
	unsigned long long c[5], s[3];
	size_t inlen = 1000 * 1000, outlen;
	char *data = malloc(inlen);

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	test_fill_random(data, inlen, 6);
	FILE *f = fopen(in, "wb");
	cr_assert(f && fwrite(data, 1, inlen, f) == inlen && fclose(f) == 0);
	unsigned long long before = rcvbuf_errors();
	const char *rx[] = { "socklab", "recv", "--rcvbuf", "4K", "--slow", "1", ep, out, NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	const char *tx[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(tx, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1, "send must fail when datagrams were lost: %s", r.err);
	cr_expect_eq(test_server_stop(&srv, 0), 1);
	char *log = test_server_stderr(&srv);
	cr_assert(counts(log, c), "no counts in recv's report: %s", log);
	cr_expect_eq(c[0], 715, "1,000,000 bytes in 1400-byte datagrams");
	cr_expect_gt(c[2], 0, "a 4 KiB buffer read once a millisecond cannot keep up: %s", log);
	cr_expect_eq(c[1] + c[2], c[0], "received + lost = sent: %s", log);
	cr_expect_eq(c[3] + c[4], 0, "loopback neither reorders nor duplicates: %s", log);
	cr_expect(strstr(log, "socklab: recv: "), "%s", log);
	/* Where they were lost is the kernel's evidence: this socket's own drops, all of them here. */
	const char *because = strstr(log, "(the kernel dropped ");
	unsigned long long dropped = 0;
	cr_expect(because && sscanf(because, "(the kernel dropped %llu at this socket's full receive buffer", &dropped) == 1,
		  "%s", log);
	cr_expect_geq(dropped, c[2], "the socket dropped fewer than were lost (repeated totals may add): %s", log);
	cr_expect(strstr(r.err, "the receiver's report says whether its buffer dropped them"), "%s", r.err);
	cr_expect_null(strstr(r.err, "only --rate"), "%s", r.err);
	/* The sender heard the same numbers, in the acknowledgement of its totals. */
	const char *got = strstr(r.err, "the receiver got ");
	cr_assert(got && sscanf(got, "the receiver got %llu of %llu datagrams: %llu lost", &s[0], &s[1], &s[2]) == 3, "%s", r.err);
	cr_expect(s[0] == c[1] && s[1] == c[0] && s[2] == c[2], "send and recv disagree:\n%s\n%s", r.err, log);
	/* The kernel counted its drops too (other tests only add to the counter). */
	cr_expect_geq(rcvbuf_errors() - before, c[2], "Udp RcvbufErrors grew less than the loss counted");
	char *o = slurp(out, &outlen);
	expect_blocks_in_order(data, inlen, o, outlen, c[1]);
	free(o);
	free(log);
	free(data);
	test_run_free(&r);
	test_rmdir(dir);
}

/* An impaired network (engineer C's layer): drops, duplicates and reordering, all counted, the output still in order. */
Test(transfer_loss, impaired_udp_is_counted)
{
	char dir[64], in[128], out[128], why[256], to[300];
	struct endpoint probe;
	struct test_server srv;
	struct run_result r;
	unsigned long long c[5];
	size_t inlen = 200 * BLOCK, outlen;
	char *data = malloc(inlen);

	if (endpoint_parse("udp://127.0.0.1:1?drop=0.1&dup=0.1&reorder=0.1&seed=7", ENDPOINT_CLIENT, &probe, why, sizeof why) < 0)
		cr_skip_test("no impairment layer here (%s)", why);
	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	test_fill_random(data, inlen, 7);
	FILE *f = fopen(in, "wb");
	cr_assert(f && fwrite(data, 1, inlen, f) == inlen && fclose(f) == 0);
	const char *rx[] = { "socklab", "recv", "udp://127.0.0.1:0", out, NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	snprintf(to, sizeof to, "%s?drop=0.1&dup=0.1&reorder=0.1&seed=7", srv.endpoint);
	const char *tx[] = { "socklab", "send", "--rate", "2M", to, in, NULL };
	cr_assert_eq(test_run(tx, NULL, 0, &r), 0);
	test_server_stop(&srv, 0);
	char *log = test_server_stderr(&srv);
	cr_assert(counts(log, c), "%s", log);
	cr_expect_eq(c[0], 200);
	/* Lost by the layer on the way, not at the receiver's buffer: the evidence says so, and blames no pace. */
	cr_expect(strstr(log, "this socket's receive buffer dropped none (/proc/net/udp): they were lost on the way"), "%s",
		  log);
	cr_expect(c[2] > 0 && c[3] > 0 && c[4] > 0, "drop, reorder and dup should all show: %s", log);
	cr_expect_eq(c[1] + c[2], c[0], "%s", log);
	char *o = slurp(out, &outlen);
	expect_blocks_in_order(data, inlen, o, outlen, c[1]);
	free(o);
	free(log);
	free(data);
	test_run_free(&r);
	test_rmdir(dir);
}

/* A sender that vanishes before its totals: recv gives up after --timeout and says the data may be incomplete. */
Test(transfer_loss, vanished_sender)
{
	struct test_server srv;
	struct sock s;
	unsigned char msg[XFER_HEADER_SIZE + 3];
	const char *rx[] = { "socklab", "recv", "--timeout", "0.3", "udp://127.0.0.1:0", "/dev/null", NULL };

	cr_assert_eq(test_server_start(&srv, rx), 0);
	cr_assert_eq(test_dial(&s, srv.endpoint), 0);
	for (uint64_t n = 0; n < 3; n += 2) { /* 0 and 2: 1 is missing too */
		struct xfer_header h = { XFER_DATA, n, n * 3, 3, xfer_cksum(xfer_crc_update(0, "abc", 3), 3), 0, 0 };
		xfer_encode(&h, msg);
		memcpy(msg + XFER_HEADER_SIZE, "abc", 3);
		cr_assert_eq(sock_send(&s, msg, sizeof msg), (ssize_t)sizeof msg);
	}
	cr_assert_eq(sock_send(&s, "not socklab's", 13), 13);
	sock_close(&s);
	cr_expect_eq(test_server_stop(&srv, 0), 1);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "recv: 6 bytes from 127.0.0.1:"), "%s", log);
	cr_expect(strstr(log, " in 2 datagrams, "), "%s", log);
	cr_expect(strstr(log, "recv: 1 ignored: not messages of this transfer\n"), "%s", log);
	cr_expect(strstr(log, "socklab: recv: the sender stopped without its totals after 2 datagrams"), "%s", log);
	free(log);
}

/*
 * recv's acknowledgement is a datagram too, and can be lost. The sender then
 * repeats its totals, and recv must still be there to answer (its own
 * TIME_WAIT): with half of recv's datagrams dropped, every transfer completes.
 */
Test(transfer_loss, lost_acknowledgement)
{
	for (size_t k = 0; transport_registry[k]; k++) {
		const struct transport *t = transport_registry[k];
		if (transport_is_reliable(t))
			continue; /* it delivers the acknowledgement, or says it could not: only UDP loses one */
		for (int seed = 1; seed <= 4; seed++) {
			char dir[64], in[128], out[128], ep[256];
			struct test_server srv;
			struct run_result r;

			test_tmpdir(dir, sizeof dir);
			snprintf(in, sizeof in, "%s/in", dir);
			snprintf(out, sizeof out, "%s/out", dir);
			test_make_file(in, 20000, (unsigned)seed);
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
			cr_expect(test_same_file(in, out), "%s, seed %d: the file changed on the way", t->scheme, seed);
			free(log);
			test_run_free(&r);
			test_rmdir(dir);
		}
	}
}

/* --rcvbuf where it cannot work: a unix socket charges what waits to the sender, and recv says so. */
Test(transfer_loss, rcvbuf_on_unix_says_it_has_no_effect)
{
	char dir[64], ep[128];
	struct test_server srv;

	test_tmpdir(dir, sizeof dir);
	snprintf(ep, sizeof ep, "unixgram:%s/r.sock", dir);
	const char *rx[] = { "socklab", "recv", "--rcvbuf", "4K", ep, "/dev/null", NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	test_server_stop(&srv, SIGTERM);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "recv: --rcvbuf has no effect here: a unix socket charges what waits for the reader to the "
			      "sender's SO_SNDBUF, and holds at most net.unix.max_dgram_qlen datagrams"), "%s", log);
	free(log);
	test_rmdir(dir);
}
