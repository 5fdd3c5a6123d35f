/* test_xfer.c - send/recv's wire format, and datagram losses counted exactly: a slow receiver, an impaired network, a vanished sender. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers.h"

#define BLOCK 1400 /* send's default payload */

Test(xfer, header_round_trip)
{
	unsigned char msg[XFER_HEADER_SIZE + 5];
	struct xfer_header h = { XFER_DATA, 0x030201, 0x0102030405060708ULL, 5, 0, 0, 0 }, d;
	const char *why;

	memcpy(msg + XFER_HEADER_SIZE, "hello", 5);
	h.check = xfer_cksum(xfer_crc_update(0, "hello", 5), 5);
	xfer_encode(&h, msg);
	cr_expect(memcmp(msg, "SLX1\1\0\0\0\0\0\0\0\0\3\2\1\1\2\3\4\5\6\7\10", 24) == 0, "big-endian, after the magic");
	cr_assert_eq(xfer_decode(msg, sizeof msg, &d, &why), 0, "%s", why);
	cr_expect(d.type == XFER_DATA && d.count == h.count && d.bytes == h.bytes && d.length == 5 && d.check == h.check);
	struct xfer_header ack = { XFER_ACK, 10, 20, 0, 30, 40, 50 };
	xfer_encode(&ack, msg);
	cr_assert_eq(xfer_decode(msg, XFER_HEADER_SIZE, &d, &why), 0, "%s", why);
	cr_expect(d.type == XFER_ACK && d.count == 10 && d.bytes == 20 && d.check == 30 && d.dups == 40 && d.late == 50);
}

/* Every way a message can be wrong is refused, with its reason. */
Test(xfer, bad_messages)
{
	unsigned char good[XFER_HEADER_SIZE + 4], bad[sizeof good];
	struct xfer_header h = { XFER_DATA, 3, 0, 4, xfer_cksum(xfer_crc_update(0, "data", 4), 4), 0, 0 }, d;
	const char *why;
	static const struct {
		size_t at, len; /* byte to change, and the length to decode */
		unsigned char value;
		const char *why;
	} cases[] = {
		{ 0, sizeof good, 'X', "not a message" },
		{ 0, XFER_HEADER_SIZE - 1, 'S', "not a message" },  /* too short */
		{ 4, sizeof good, 9, "an unknown type" },
		{ 4, sizeof good, 0, "an unknown type" },
		{ 6, sizeof good, 1, "an unknown type" },           /* reserved bytes must be zero */
		{ 27, sizeof good, 5, "its length" },                /* says 5, 4 came */
		{ 0, sizeof good - 1, 'S', "its length" },          /* 3 came */
		{ 8, sizeof good, 0xff, "a message number beyond" },
		{ 41, sizeof good, 'X', "its payload was corrupted" },
		{ 30, sizeof good, 0x55, "its payload was corrupted" }, /* the checksum itself */
	};

	memcpy(good + XFER_HEADER_SIZE, "data", 4);
	xfer_encode(&h, good);
	cr_assert_eq(xfer_decode(good, sizeof good, &d, &why), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(bad, good, sizeof good);
		bad[cases[i].at] = cases[i].value;
		why = NULL;
		cr_expect_eq(xfer_decode(bad, cases[i].len, &d, &why), -1, "case %zu decoded", i);
		cr_expect(why && strncmp(why, cases[i].why, strlen(cases[i].why)) == 0, "case %zu: %s", i, why ? why : "-");
	}
	struct xfer_header end = { XFER_END, 5, 0, 0, 0, 0, 0 };
	xfer_encode(&end, bad);
	cr_expect_eq(xfer_decode(bad, XFER_HEADER_SIZE + 1, &d, &why), -1, "END carries no payload");
}

/* The same numbers as cksum(1), whatever the pieces. */
Test(xfer, cksum_is_posix_cksum)
{
	cr_expect_eq(xfer_cksum(0, 0), 4294967295u);                                     /* printf '' | cksum */
	cr_expect_eq(xfer_cksum(xfer_crc_update(0, "123456789", 9), 9), 930766865u);      /* printf 123456789 | cksum */
	char buf[1000];
	test_fill_random(buf, sizeof buf, 9);
	uint32_t whole = xfer_cksum(xfer_crc_update(0, buf, sizeof buf), sizeof buf), crc = 0;
	for (size_t at = 0, n = 1; at < sizeof buf; at += n, n = n % 17 + 1)
		crc = xfer_crc_update(crc, buf + at, at + n > sizeof buf ? sizeof buf - at : n);
	cr_expect_eq(xfer_cksum(crc, sizeof buf), whole);
}

Test(xfer, tally_counts_from_sequence_numbers)
{
	struct xfer_tally t = { 0 };
	/* 0 1 3 2 3 5 1 20000: 2 came late, 3 and 1 twice, 4 and 6..19999 never. */
	static const uint64_t order[] = { 0, 1, 3, 2, 3, 5, 1, 20000 };
	static const int kind[] = { XFER_NEW, XFER_NEW, XFER_NEW, XFER_LATE, XFER_DUPLICATE, XFER_NEW, XFER_DUPLICATE, XFER_NEW };

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		cr_expect_eq(xfer_tally_add(&t, order[i]), kind[i], "message %llu", (unsigned long long)order[i]);
	cr_expect_eq(t.received, 6);
	cr_expect_eq(t.dups, 2);
	cr_expect_eq(t.late, 1);
	cr_expect_eq(xfer_tally_lost(&t, 6), 1);
	cr_expect_eq(xfer_tally_lost(&t, 20001), 20001 - 6);
	cr_expect_eq(xfer_tally_add(&t, XFER_COUNT_MAX), -1);
	cr_expect_eq(errno, EINVAL);
	xfer_tally_free(&t);
}

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
Test(xfer, udp_loss_is_counted_exactly)
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
Test(xfer, impaired_udp_is_counted)
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
Test(xfer, vanished_sender)
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

/* A waiting recv stops cleanly on SIGTERM: exit 0, and its socket file is gone. */
Test(xfer, recv_stops_on_sigterm)
{
	char dir[64], ep[160], path[128];
	struct test_server srv;
	struct stat st;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/recv.sock", dir);
	snprintf(ep, sizeof ep, "unix:%s", path);
	const char *rx[] = { "socklab", "recv", ep, "/dev/null", NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	cr_expect_eq(lstat(path, &st), 0);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	cr_expect(lstat(path, &st) < 0 && errno == ENOENT, "the socket file is still there");
	test_rmdir(dir);
}

Test(xfer, usage_errors)
{
	static const struct {
		const char *argv[8];
		int status;
		const char *err;
	} cases[] = {
		{ { "socklab", "send", NULL }, 2, "socklab: send: missing ENDPOINT (see 'socklab send --help')\n" },
		{ { "socklab", "recv", NULL }, 2, "socklab: recv: missing ENDPOINT (see 'socklab recv --help')\n" },
		{ { "socklab", "send", "--size", "0", "udp://127.0.0.1:9", NULL }, 2, "socklab: send: --size takes 1 to 65000" },
		{ { "socklab", "send", "--rate", "fast", "udp://127.0.0.1:9", NULL }, 2, "socklab: send: --rate takes" },
		{ { "socklab", "recv", "--slow", "-1", "udp://127.0.0.1:0", NULL }, 2, "socklab: recv: --slow takes" },
		{ { "socklab", "send", "tcp://127.0.0.1:9", "/nonexistent/file", NULL }, 1,
		  "socklab: send: open /nonexistent/file: no such file or directory" },
		{ { "socklab", "recv", "tcp://127.0.0.1:0", "/nonexistent/dir/file", NULL }, 1,
		  "socklab: recv: open /nonexistent/dir/file: no such file or directory" },
		{ { "socklab", "send", "tcp://127.0.0.1:1", "/dev/null", NULL }, 1, "connection refused (is a server listening?)" },
		{ { "socklab", "send", "--timeout", "0.3", "udp://127.0.0.1:9", "/dev/null", NULL }, 1,
		  "socklab: send: the acknowledgement from udp://127.0.0.1:9: no reply within the timeout" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run_result r;
		cr_assert_eq(test_run(cases[i].argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, cases[i].status, "case %zu: %s", i, r.err);
		cr_expect(strstr(r.err, cases[i].err), "case %zu: %s", i, r.err);
		cr_expect(strchr(r.err, '\n') == strrchr(r.err, '\n') || strstr(r.err, "send: cksum"), "case %zu: one line: %s", i,
			  r.err);
		test_run_free(&r);
	}
}
