/* transfer_send.c - socklab send: a file or standard input to a receiver, every send() counted, and a report. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "transfer_proto.h"
#include "demos/cli.h"
#include "transfer_cli.h"
#include "transfer_send.h"

#define DEFAULT_SIZE 1400 /* a datagram's payload: within one Ethernet frame, so never fragmented */
#define RATE_MAX (1ULL << 40) /* --rate: a terabyte a second, more than any socket moves */
#define RESEND_MS 200     /* the totals (END) go again after this long without an acknowledgement */

static const char usage[] =
	"usage: socklab send [--size BYTES] [--rate BYTES] [--timeout SECONDS] ENDPOINT [FILE]\n"
	"Sends FILE (or standard input) to 'socklab recv' at ENDPOINT (over tcp and unix, to\n"
	"anything that reads bytes: nc, socat...) and reports on standard error: bytes, send()\n"
	"calls or messages, the data's cksum and, over message transports, what the receiver\n"
	"got. Exits 0 when everything was sent and, over messages, everything arrived.\n\n"
	"  --size BYTES       message transports: payload bytes per message (default 1400)\n"
	"  --rate BYTES       send at most BYTES per second (K, M and G allowed). UDP has no\n"
	"                     flow control: a sender that outruns its receiver overflows the\n"
	"                     receiver's buffer. Pacing is one remedy; acknowledgements that\n"
	"                     open a window are another (socklab bench: its credit window)\n"
	"  --timeout SECONDS  how long to wait for the receiver's answer (default 10, more than 0)\n"
	"  --trace            narrate every socket call on standard error\n";

void sender_pace(const struct sender *s)
{
	if (s->rate <= 0)
		return;
	sys_sleep_ms(s->pg.start_ms + (long long)(s->bytes * 1000.0 / s->rate) - sys_now_ms());
}

/* The sender's totals, sent again until the receiver's acknowledgement comes: the loss count depends on them. */
static int totals(struct sender *s, struct xfer_header *ack)
{
	unsigned char end[XFER_HEADER_SIZE], buf[XFER_HEADER_SIZE + 1];
	struct xfer_header h = { .type = XFER_END, .count = s->calls, .bytes = s->bytes,
				 .check = xfer_cksum(s->crc, s->bytes) };
	const char *why;

	xfer_encode(&h, end);
	if (sock_set_recv_timeout(&s->sock, RESEND_MS) < 0)
		return cli_error("send", errno, NULL, "set a timeout");
	for (long long give_up = sys_now_ms() + s->timeout_ms; sys_now_ms() < give_up;) {
		if (sock_send(&s->sock, end, sizeof end) < 0 && errno != ENOBUFS)
			return cli_error("send", errno, "send", "send the totals to %s", s->where);
		ssize_t n = 1;
		/* Until the next resend, however much else (garbage) comes meanwhile: deadlines, not quiet periods. */
		long long resend_at = sys_now_ms() + RESEND_MS;
		while (sys_now_ms() < resend_at && (n = sock_recv_reply(&s->sock, buf, sizeof buf, NULL)) > 0)
			if (xfer_decode(buf, (size_t)n, ack, &why) == 0 && ack->type == XFER_ACK)
				return 0;
		if (n == 0 && sock_is_connected(&s->sock))
			return cli_error("send", SL_ESHORT, "recv", "the acknowledgement from %s", s->where);
		if (n < 0 && errno != SL_ETIMEDOUT_REPLY && errno != EMSGSIZE)
			return cli_error("send", errno, "recv", "the acknowledgement from %s", s->where);
	}
	return cli_error_on("send", s->sock.t, SL_ETIMEDOUT_REPLY, "recv", "the acknowledgement from %s", s->where);
}

static int send_messages(struct sender *s, size_t size)
{
	const char *unit = sock_is_connected(&s->sock) ? "messages" : "datagrams";
	unsigned char *buf = malloc(XFER_HEADER_SIZE + size);
	char timing[64];
	struct xfer_header ack;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return cli_error("send", ENOMEM, NULL, "start sending");
	while (rc == 0 && (n = transfer_read_full(s->in, buf + XFER_HEADER_SIZE, size)) > 0) {
		const unsigned char *payload = buf + XFER_HEADER_SIZE;
		struct xfer_header h = { .type = XFER_DATA, .count = s->calls, .bytes = s->bytes, .length = (uint32_t)n,
					 .check = xfer_cksum(xfer_crc_update(0, payload, (size_t)n), (uint64_t)n) };
		xfer_encode(&h, buf);
		if (sock_send(&s->sock, buf, XFER_HEADER_SIZE + (size_t)n) < 0) {
			rc = cli_error("send", errno, "send", "send to %s", s->where);
			break; /* not sent: not counted */
		}
		s->crc = xfer_crc_update(s->crc, payload, (size_t)n);
		s->calls++;
		s->bytes += (unsigned long long)n;
		progress_update(&s->pg, s->bytes);
		sender_pace(s);
	}
	if (rc == 0 && n < 0)
		rc = cli_error("send", errno, NULL, "read the input");
	progress_end(&s->pg, s->bytes);
	fprintf(stderr, "send: %llu bytes to %s in %llu %s, %s\n", s->bytes, s->where, s->calls, unit,
		transfer_timing(s->pg.start_ms, s->bytes, timing, sizeof timing));
	fprintf(stderr, "send: cksum %lu %llu\n", (unsigned long)xfer_cksum(s->crc, s->bytes), s->bytes);
	if (rc == 0)
		rc = totals(s, &ack);
	if (rc == 0) {
		unsigned long long lost = s->calls - (ack.count < s->calls ? ack.count : s->calls);
		fprintf(stderr, "send: the receiver got %llu of %llu %s: %llu lost, %lu reordered, %lu duplicated, cksum %lu %llu\n",
			(unsigned long long)ack.count, s->calls, unit, lost, (unsigned long)ack.late, (unsigned long)ack.dups,
			(unsigned long)ack.check, (unsigned long long)ack.bytes);
		if (lost || ack.bytes != s->bytes || ack.check != xfer_cksum(s->crc, s->bytes)) {
			fprintf(stderr, "socklab: send: %llu of %llu %s never arrived whole (a datagram sender is never told"
					" where: the receiver's report says whether its buffer dropped them)\n", lost, s->calls, unit);
			rc = EXIT_RUNTIME;
		}
	}
	free(buf);
	return rc;
}

int send_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "size", required_argument, NULL, 's' },    { "rate", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'w' }, { "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct sender s = { .in = STDIN_FILENO, .timeout_ms = TRANSFER_DEFAULT_TIMEOUT_MS };
	struct endpoint ep;
	unsigned long long size = DEFAULT_SIZE, rate;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (cli_size(optarg, 1, XFER_PAYLOAD_MAX, &size) < 0)
				return cli_usage_error("send", "--size takes 1 to %d bytes, not '%.20s'", XFER_PAYLOAD_MAX, optarg);
			break;
		case 'r':
			if (cli_size(optarg, 1, RATE_MAX, &rate) < 0)
				return cli_usage_error("send", "--rate takes bytes per second such as 100K, at most 1T, not '%.20s'",
						       optarg);
			s.rate = (long long)rate;
			break;
		case 'w':
			if ((rc = cli_duration("send", "--timeout", optarg, &s.timeout_ms)) != 0)
				return rc;
			break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("send", opt, argv);
		}
	}
	if (optind == argc || argc - optind > 2)
		return cli_usage_error("send", optind == argc ? "missing ENDPOINT" : "too many arguments");
	s.where = argv[optind];
	if ((rc = cli_endpoint("send", s.where, ENDPOINT_CLIENT, &ep)) != 0)
		return rc;
	const char *file = argv[optind + 1];
	if (file && strcmp(file, "-") != 0 && (s.in = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return cli_error("send", errno, "open", "open %s", file);
	struct stat st; /* a directory opens, and fails only at the first read: say so before connecting */
	if (fstat(s.in, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (s.in != STDIN_FILENO)
			close(s.in);
		return cli_error("send", EISDIR, "read", "read %s", s.in != STDIN_FILENO ? file : "standard input");
	}
	if ((rc = cli_dial_within("send", s.where, &ep, s.timeout_ms, &s.sock)) == 0) {
		progress_start(&s.pg, "send");
		rc = sock_keeps_boundaries(&s.sock) ? send_messages(&s, (size_t)size) : send_stream_all(&s);
		sock_close(&s.sock);
	}
	if (s.in != STDIN_FILENO)
		close(s.in);
	return rc;
}
