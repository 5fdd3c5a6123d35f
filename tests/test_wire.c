/* test_wire.c - socklab wire's ladders, golden: the TCP and UDP echoes packet by packet, the RST, the ICMP error, unix. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "test_wire.h"

/* Runs socklab wire ARGS, expects exit 0, and compares the normalised ladder with want. */
#define GOLDEN(want, ...)                                                                                        \
	do {                                                                                                     \
		struct run_result r_;                                                                              \
		static char norm_[65536];                                                                          \
		WIRE_RUN(&r_, __VA_ARGS__);                                                                        \
		cr_assert_eq(r_.status, 0, "exit %d: %s", r_.status, r_.err);                                        \
		wire_normalise(r_.out, norm_, sizeof norm_);                                                       \
		cr_expect_str_eq(norm_, want, "as printed:\n%s", r_.out);                                          \
		test_run_free(&r_);                                                                                \
	} while (0)

/*
 * On Linux the server ACKs the data at once (a new connection starts in quick-ACK mode),
 * then echoes it; it delays the ACK of the client's FIN, so that its own FIN carries it:
 * the close takes three segments. The client closed first and is left in TIME_WAIT.
 */
static const char tcp_echo[] =
	"socklab wire: tcp, scenario echo, 10 packets\n"
	"captured on lo, in a network namespace of its own, WHO\n"
	"client 127.0.0.1:CPORT server 127.0.0.1:7\n"
	"seq, ack: counted from each side's initial sequence number, as Wireshark does\n"
	"win: as its receiver reads it (the field x the sender's WS: both SYNs had WS)\n"
	"state: each side's, when it changes, inferred from the packets (RFC 9293 3.3.2)\n"
	"\n"
	"time ms client server\n"
	"CLOSED LISTEN\n"
	"T SYN_SENT -- SYN seq=0 len=0 win=W --> SYN_RECEIVED\n"
	"MSS=65495 SACK_PERM TS WS=S\n"
	"T ESTABLISHED <-- SYN,ACK seq=0 ack=1 len=0 win=W --\n"
	"MSS=65495 SACK_PERM TS WS=S\n"
	"T -- ACK seq=1 ack=1 len=0 win=W --> ESTABLISHED\n"
	"T -- PSH,ACK seq=1 ack=1 len=6 win=W -->\n"
	"T <-- ACK seq=1 ack=7 len=0 win=W --\n"
	"T <-- PSH,ACK seq=1 ack=7 len=6 win=W --\n"
	"T -- ACK seq=7 ack=7 len=0 win=W -->\n"
	"T FIN_WAIT_1 -- FIN,ACK seq=7 ack=7 len=0 win=W --> CLOSE_WAIT\n"
	"T TIME_WAIT <-- FIN,ACK seq=7 ack=8 len=0 win=W -- LAST_ACK\n"
	"T -- ACK seq=8 ack=8 len=0 win=W --> CLOSED\n"
	"\n"
	"what the programs saw:\n"
	"client: 1 of 1 echo of 'hello' came back whole\n"
	"server: recv() = 0 (the client's end of the stream), then close()\n"
	"\n"
	"retransmissions: 0 in the capture; the kernel's Tcp RetransSegs here: +0\n";

/* 0xfe21 is the pseudo-header's sum for 127.0.0.1 to 127.0.0.1, 14 bytes: lo never finishes the checksum. */
static const char udp_echo[] =
	"socklab wire: udp, scenario echo, 2 packets\n"
	"captured on lo, in a network namespace of its own, WHO\n"
	"client 127.0.0.1:CPORT server 127.0.0.1:7\n"
	"UDP: no connection, so no handshake, no states and no acknowledgements\n"
	"\n"
	"time ms client server\n"
	"T -- UDP CPORT > 7 len=6 -->\n"
	"Length=14 (8 header + 6 data), checksum 0xfe21\n"
	"T <-- UDP 7 > CPORT len=6 --\n"
	"Length=14 (8 header + 6 data), checksum 0xfe21\n"
	"\n"
	"what the programs saw:\n"
	"server: 1 of 1 datagram arrived\n"
	"client: 1 of 1 echo came back\n";

Test(wire, tcp_echo_handshake_data_teardown)
{
	GOLDEN(tcp_echo, "wire", "tcp");
}

Test(wire, udp_echo_one_datagram_each_way)
{
	GOLDEN(udp_echo, "wire", "udp");
}

Test(wire, refused_connection_is_a_reset)
{
	static const char want[] =
		"T SYN_SENT -- SYN seq=0 len=0 win=W -->\n"
		"MSS=65495 SACK_PERM TS WS=S\n"
		"T CLOSED <-- RST,ACK seq=1 ack=1 len=0 win=W --\n"
		"\n"
		"what the programs saw:\n"
		"client: connect() = -1 ECONNREFUSED (connection refused)\n";
	struct run_result r;
	static char norm[65536];

	WIRE_RUN(&r, "wire", "--scenario", "refused", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	wire_normalise(r.out, norm, sizeof norm);
	cr_expect(strstr(norm, "CLOSED CLOSED\n") && strstr(norm, want), "as printed:\n%s", r.out);
	cr_expect(strstr(r.out, " win=0 "), "a RST advertises no window:\n%s", r.out);
	test_run_free(&r);
}

/* A datagram to a port nobody has: ICMP (or ICMPv6) port unreachable, quoting it, and the client never told. */
static void expect_unreachable(const char *endpoint, const char *icmp, const char *codes)
{
	struct run_result r;
	static char norm[65536], want[512];

	WIRE_RUN(&r, "wire", "--scenario", "refused", endpoint);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	wire_normalise(r.out, norm, sizeof norm);
	snprintf(want, sizeof want,
		 "T -- UDP CPORT > 7 len=6 -->\n"
		 "Length=14 (8 header + 6 data), checksum 0x%s\n"
		 "T <-- %s port unreachable --\n"
		 "%s, quoting UDP CPORT > 7\n"
		 "\n"
		 "what the programs saw:\n"
		 "client: sendto() = 6; then its recv() heard nothing in 0.2 s\n",
		 strstr(endpoint, "::1") ? "0021" : "fe21", icmp, codes);
	cr_expect(strstr(norm, want), "want:\n%s\nas printed:\n%s", want, r.out);
	test_run_free(&r);
}

Test(wire, udp_to_nobody_is_icmp_port_unreachable)
{
	expect_unreachable("udp", "ICMP", "type 3 code 3");
}

Test(wire, udp6_to_nobody_is_icmpv6_port_unreachable)
{
	expect_unreachable("udp://[::1]:7", "ICMPv6", "type 1 code 4");
}

/* Every transport in the registry: packets for a network one, "no packets" and the calls for a unix one. */
ParameterizedTestParameters(wire, every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, wire, every_transport)
{
	const struct transport *t = transport_registry[*i];
	struct run_result r;

	WIRE_RUN(&r, "wire", t->scheme);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect_eq(r.errlen, 0, "%s: said on stderr: %s", t->scheme, r.err);
	if (t->domain == AF_UNIX) {
		cr_expect(strstr(r.out, ": no packets\n") && strstr(r.out, "a unix socket never leaves the kernel"), "%s:\n%s",
			  t->scheme, r.out);
		cr_expect(strstr(r.out, "socket(AF_UNIX, ") && strstr(r.out, "server: close("), "%s: no calls:\n%s", t->scheme,
			  r.out);
	} else {
		long long n = wire_number_after(r.out, ", scenario echo, ");
		cr_expect(n >= 2, "%s: %lld packets:\n%s", t->scheme, n, r.out);
		cr_expect(strstr(r.out, "client 127.0.0.1:") && strstr(r.out, "server 127.0.0.1:7"), "%s:\n%s", t->scheme,
			  r.out);
		/* socklab's own protocol rides in UDP's data: the ladder never says it has no handshake nor ACKs */
		if (transport_in_user_space(t))
			cr_expect(strstr(r.out, "socklab's own protocol: its handshake, ACKs and states are in the") &&
					  !strstr(r.out, "no handshake") && strstr(r.out, "rdt SYN seq=") &&
					  strstr(r.out, "rdt SYN-ACK seq=") && strstr(r.out, "rdt DATA seq=") &&
					  strstr(r.out, "rdt FIN seq="),
				  "%s: its header decoded under each arrow:\n%s", t->scheme, r.out);
	}
	test_run_free(&r);
}

Test(wire, every_line_fits_80_columns_and_arrows_line_up)
{
	struct run_result r;

	WIRE_RUN(&r, "wire", "--explain", "--scenario", "half-close", "tcp://[::1]:7");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	int arrows = 0;
	for (char *line = r.out; *line;) {
		char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		cr_expect(n <= 79, "%zu columns: %.*s", n, (int)n, line);
		/* Every arrow starts in column 23, after the time and the client's state. */
		if (n > 25 && (strncmp(line + 23, "-- ", 3) == 0 || strncmp(line + 23, "<-", 2) == 0))
			arrows++;
		line += n + (end ? 1 : 0);
	}
	cr_expect_eq(arrows, wire_number_after(r.out, ", scenario half-close, "), "arrows out of line:\n%s", r.out);
	test_run_free(&r);
}

Test(wire, trace_shows_the_capture_socket)
{
	struct run_result r;

	WIRE_RUN(&r, "--trace", "wire", "udp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "trace: socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = "), "%s", r.err);
	cr_expect(strstr(r.err, "SO_TIMESTAMPNS") && strstr(r.err, ", ETH_P_ALL) = 0"), "%s", r.err);
	/* lo shows each packet twice: going out, and coming back in. */
	cr_expect(strstr(r.err, ", IPv4, outgoing") && strstr(r.err, ", IPv4, to this host"), "%s", r.err);
	test_run_free(&r);
}
