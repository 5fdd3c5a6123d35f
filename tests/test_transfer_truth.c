/* test_transfer_truth.c - send and recv never clobber a file, never call a cut-short stream whole, and every count is what happened. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io.h"
#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers_transfer.h"
#include "tests/support/robust.h"

TestSuite(transfer_truth, .timeout = 60);

static int holds(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	int same = f && fgets(buf, sizeof buf, f) && strcmp(buf, text) == 0;

	if (f)
		fclose(f);
	return same;
}

static void precious(const char *path)
{
	FILE *f = fopen(path, "w");
	cr_assert(f && fputs("precious\n", f) >= 0 && fclose(f) == 0);
}

ParameterizedTestParameters(transfer_truth, recv_never_destroys_file)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * An existing FILE, and every way recv can fail: the address is in use, a
 * signal before anyone sends, a transfer cut short. FILE is left as it was
 * each time, and no temporary file is left beside it; a whole transfer
 * replaces it.
 */
ParameterizedTest(size_t *i, transfer_truth, recv_never_destroys_file)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], out[128], in[128], ep[200], listing[512];
	struct test_server busy, srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(in, sizeof in, "%s/in", dir);
	test_make_file(in, 100000, 8);
	precious(out);
	/* 1. The address is taken: recv fails before it receives anything. */
	cr_assert_eq(test_echo_server(&busy, t, dir), 0);
	const char *taken[] = { "socklab", "recv", busy.endpoint, out, NULL };
	cr_assert_eq(test_run(taken, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1, "%s: %s", t->scheme, r.err);
	cr_expect(strchr(r.err, '\n') == r.err + r.errlen - 1, "%s: not one line: %s", t->scheme, r.err);
	test_run_free(&r);
	cr_expect(holds(out, "precious\n"), "%s: FILE destroyed by a failed listen", t->scheme);
	cr_expect_eq(test_server_stop(&busy, SIGTERM), 0);
	/* 2. Stopped before anyone sent. */
	test_server_endpoint(t, dir, "recv", ep, sizeof ep);
	const char *rx[] = { "socklab", "recv", "--timeout", "0.5", ep, out, NULL };
	cr_assert_eq(test_server_start(&srv, rx), 0);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	cr_expect(holds(out, "precious\n"), "%s: FILE destroyed by a stop before any data", t->scheme);
	/* 3. A sender that stops half-way: no totals, no end marker. */
	cr_assert_eq(test_server_start(&srv, rx), 0);
	struct sock c;
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	unsigned char msg[XFER_HEADER_SIZE + 5];
	if (transport_keeps_boundaries(t)) {
		struct xfer_header h = { .type = XFER_DATA, .length = 5, .check = xfer_cksum(xfer_crc_update(0, "half!", 5), 5) };
		xfer_encode(&h, msg);
		memcpy(msg + XFER_HEADER_SIZE, "half!", 5);
		cr_assert(sock_send(&c, msg, sizeof msg) == (ssize_t)sizeof msg);
	} else {
		char hello[sizeof XFER_HELLO];
		size_t got;
		cr_assert_eq(sock_recv_exact(&c, hello, sizeof XFER_HELLO - 1, &got), 0);
		xfer_encode(&(struct xfer_header){ .type = XFER_START }, msg);
		memcpy(msg + XFER_HEADER_SIZE, "half!", 5);
		cr_assert(sock_send_all(&c, msg, sizeof msg) == (ssize_t)sizeof msg);
	}
	sock_close(&c);
	int rc = test_server_stop(&srv, 0);
	cr_expect_eq(rc, 1, "%s: a transfer cut short, and recv exits %d: %s", t->scheme, rc, srv.errtext);
	cr_expect(holds(out, "precious\n"), "%s: FILE destroyed by a transfer cut short", t->scheme);
	cr_expect(strstr(srv.errtext, "is left as it was"), "%s: %s", t->scheme, srv.errtext);
	/* 4. A whole transfer replaces it. */
	test_start_recv(&srv, t, dir, out);
	const char *tx[] = { "socklab", "send", srv.endpoint, in, NULL };
	cr_assert_eq(test_run(tx, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0, "%s: %s", t->scheme, srv.errtext);
	cr_expect(test_same_file(in, out), "%s: FILE not replaced by a whole transfer", t->scheme);
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../in/out/", "%s: left beside FILE: %s", t->scheme, listing);
	test_rmdir(dir);
}

ParameterizedTestParameters(transfer_truth, stream_cut_short_is_not_whole)
{
	static size_t idx[8];
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (!transport_keeps_boundaries(transport_registry[i]))
			idx[n++] = i;
	return cr_make_param_array(size_t, idx, n);
}

/*
 * socklab send killed half-way through a stream: its end of stream looks
 * like any other, and recv exited 0 with what had come. The end marker is
 * missing, and recv says the data is incomplete (exit 1). A new FILE holds
 * what arrived.
 */
ParameterizedTest(size_t *i, transfer_truth, stream_cut_short_is_not_whole)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], out[128], fifo[128], listing[512];
	struct test_server srv;
	struct test_peer tx;
	char chunk[65536];

	test_tmpdir(dir, sizeof dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(fifo, sizeof fifo, "%s/input", dir);
	cr_assert(mkfifo(fifo, 0600) == 0);
	test_start_recv(&srv, t, dir, out);
	const char *argv[] = { "sh", "-c", "exec \"$0\" send \"$1\" < \"$2\"", test_socklab(), srv.endpoint, fifo, NULL };
	cr_assert_eq(test_peer_start(&tx, argv), 0);
	FILE *f = fopen(fifo, "w"); /* the sender waits for more input, its data half sent */
	cr_assert(f);
	test_fill_random(chunk, sizeof chunk, 4);
	for (int k = 0; k < 12; k++)
		cr_assert(fwrite(chunk, 1, sizeof chunk, f) == sizeof chunk);
	fflush(f);
	cr_expect_eq(test_peer_stop(&tx, SIGKILL), 128 + SIGKILL); /* killed: the kernel closes its socket */
	fclose(f);
	int rc = test_server_stop(&srv, 0);
	cr_expect_eq(rc, 1, "%s: recv exit %d for a sender killed half-way: %s", t->scheme, rc, srv.errtext);
	cr_expect(strstr(srv.errtext, "without the sender's end marker"), "%s: %s", t->scheme, srv.errtext);
	cr_expect(strstr(srv.errtext, "holds what arrived"), "%s: %s", t->scheme, srv.errtext);
	struct stat st;
	cr_expect(stat(out, &st) == 0 && st.st_size <= 12 * 65536, "%s", t->scheme);
	dir_listing(dir, listing, sizeof listing);
	cr_expect_str_eq(listing, "./../input/out/", "%s: %s", t->scheme, listing);
	test_peer_free(&tx);
	test_rmdir(dir);
}

/* From nc, a stream with no end marker: recv takes it, exits 0, and says that completeness cannot be known. */
Test(transfer_truth, raw_sender_is_told_apart)
{
	char dir[64], in[128], out[128];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(in, sizeof in, "%s/in", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	test_make_file(in, 300000, 6);
	test_start_recv(&srv, transport_find("tcp", 3), dir, out);
	const char *nc[] = { "sh", "-c", "exec nc -N 127.0.0.1 \"$0\" < \"$1\"", strrchr(srv.endpoint, ':') + 1, in, NULL };
	cr_assert_eq(test_run(nc, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "nc: %s", r.err);
	cr_expect_str_eq(r.out, XFER_HELLO, "nc prints recv's greeting");
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, 0), 0, "%s", srv.errtext);
	cr_expect(strstr(srv.errtext, "whether all of it arrived cannot be known"), "%s", srv.errtext);
	cr_expect(test_same_file(in, out));
	test_rmdir(dir);
}
