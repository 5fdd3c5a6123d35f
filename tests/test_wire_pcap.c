/* test_wire_pcap.c - socklab wire's files and formats, read by others: tcpdump -r, python's json, mermaid's syntax. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "test_wire.h"

/* Reads a pcap file with tcpdump (-n: no names; extra: more options). Its output, or the test fails. */
static void tcpdump(const char *path, const char *extra, struct run_result *r)
{
	const char *argv[] = { "tcpdump", "-n", "-r", path, extra, NULL };

	cr_assert(test_run(argv, NULL, 0, r) == 0, "cannot run tcpdump (make deps installs it)");
	cr_assert_eq(r->status, 0, "tcpdump -r %s: exit %d: %s", path, r->status, r->err);
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(wire_pcap, tcpdump_reads_every_packet)
{
	char dir[64], path[128];
	struct run_result r, d;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/echo.pcap", dir);
	WIRE_RUN(&r, "wire", "--pcap", path, "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "10 packets written to "), "%s", r.out);
	tcpdump(path, "-q", &d);
	cr_expect(strstr(d.err, "link-type EN10MB (Ethernet)"), "%s", d.err);
	cr_expect_eq(count_lines(d.out, " IP 127.0.0.1."), 10, "tcpdump saw:\n%s", d.out);
	test_run_free(&d);
	/* The flags, in tcpdump's words, in the ladder's order. */
	tcpdump(path, "", &d);
	const char *order[] = { "[S]", "[S.]", "[.]", "[P.]", "[.]", "[P.]", "[.]", "[F.]", "[F.]", "[.]" };
	const char *p = d.out;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		p = strstr(p, order[i]);
		cr_assert(p, "packet %zu is not %s:\n%s", i + 1, order[i], d.out);
		p = strchr(p, '\n');
	}
	test_run_free(&d);
	test_run_free(&r);
	test_rmdir(dir);
}

/* The lessons' numbers are the packets' numbers: tcpdump -S prints the absolute ISNs --explain names. */
Test(wire_pcap, explain_isns_are_tcpdumps)
{
	char dir[64], path[128], seq[64];
	struct run_result r, d;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/e.pcap", dir);
	WIRE_RUN(&r, "wire", "--explain", "--pcap", path, "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	wire_unwrap(r.out);
	long long cisn = wire_number_after(r.out, "the client's SYN carries ");
	long long sisn = wire_number_after(r.out, "the server's SYN-ACK ");
	long long synack = wire_number_after(r.out, "the SYN-ACK's ack field is ");
	cr_assert(cisn >= 0 && sisn >= 0, "%s", r.out);
	cr_expect_eq(synack, (cisn + 1) % 4294967296LL, "%s", r.out);
	tcpdump(path, "-S", &d);
	snprintf(seq, sizeof seq, "[S], seq %lld,", cisn);
	cr_expect(strstr(d.out, seq), "tcpdump has no %s:\n%s", seq, d.out);
	snprintf(seq, sizeof seq, "[S.], seq %lld, ack %lld,", sisn, synack);
	cr_expect(strstr(d.out, seq), "tcpdump has no %s:\n%s", seq, d.out);
	test_run_free(&d);
	test_run_free(&r);
	test_rmdir(dir);
}

/* The full UDP checksum --explain computes is the one tcpdump computes ("bad udp cksum 0xfe21 -> 0x...!"). */
Test(wire_pcap, explain_udp_checksum_is_tcpdumps)
{
	char dir[64], path[128], want[64];
	struct run_result r, d;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/u.pcap", dir);
	WIRE_RUN(&r, "wire", "--explain", "--pcap", path, "udp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	wire_unwrap(r.out);
	cr_expect(strstr(r.out, "Length 14 = 8 (the header) + 6 (the data)"), "%s", r.out);
	const char *full = strstr(r.out, "the full checksum would be 0x");
	cr_assert(full, "%s", r.out);
	snprintf(want, sizeof want, "cksum 0xfe21 -> %.6s!", full + strlen("the full checksum would be "));
	tcpdump(path, "-vv", &d);
	cr_expect(strstr(d.out, want), "tcpdump has no '%s':\n%s", want, d.out);
	test_run_free(&d);
	test_run_free(&r);
	test_rmdir(dir);
}

/* What a directory holds, names sorted by readdir order into out. */
static void listing(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	out[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(out + strlen(out), len - strlen(out), "%s ", e->d_name);
	if (d)
		closedir(d);
}

Test(wire_pcap, a_failed_write_leaves_everything_as_it_was)
{
	char dir[64], path[128], before[512], after[512];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/taken", dir);
	cr_assert(mkdir(path, 0700) == 0);
	listing(dir, before, sizeof before);
	WIRE_RUN(&r, "wire", "--pcap", path, "udp"); /* a directory by that name: rename(2) fails */
	cr_expect_eq(r.status, 1, "exit %d", r.status);
	cr_expect(strstr(r.err, "socklab: wire: write ") && strstr(r.err, "is a directory"), "%s", r.err);
	listing(dir, after, sizeof after);
	cr_expect_str_eq(after, before, "a temporary file was left behind");
	test_run_free(&r);
	snprintf(path, sizeof path, "%s/missing/x.pcap", dir);
	WIRE_RUN(&r, "wire", "--pcap", path, "udp");
	cr_expect_eq(r.status, 1, "exit %d", r.status);
	cr_expect(strstr(r.err, "no such file or directory"), "%s", r.err);
	test_run_free(&r);
	test_rmdir(dir);
}

Test(wire_pcap, json_is_json_with_an_object_per_packet)
{
	struct run_result r, py;
	const char *check[] = { "python3", "-c",
				"import json,sys; d=json.load(sys.stdin); p=d['packets']; s=d['summary'];"
				"assert len(p)==s['packets']==10; assert p[0]['flags']=='SYN' and p[0]['seq']==0;"
				"assert p[1]['ack']==1 and p[1]['ack_raw']==(p[0]['seq_raw']+1)%2**32;"
				"assert s['client']['isn']==p[0]['seq_raw']; assert s['retransmissions']==s['kernel_retrans_segs']==0;"
				"print('ok')",
				NULL };

	WIRE_RUN(&r, "wire", "--format", "json", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert(test_run(check, r.out, r.outlen, &py) == 0);
	cr_expect(py.status == 0 && strcmp(py.out, "ok\n") == 0, "python: %s%s\njson:\n%s", py.out, py.err, r.out);
	test_run_free(&py);
	test_run_free(&r);
}

Test(wire_pcap, mermaid_has_an_arrow_per_packet)
{
	struct run_result r;

	WIRE_RUN(&r, "wire", "--format", "mermaid", "--scenario", "refused", "tcp");
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strncmp(r.out, "sequenceDiagram\n", 16) == 0, "%s", r.out);
	cr_expect_eq(count_lines(r.out, "\n    C->>S: "), 1, "%s", r.out);
	cr_expect_eq(count_lines(r.out, "\n    S->>C: "), 1, "%s", r.out);
	cr_expect(strstr(r.out, "RST,ACK seq=1 ack=1") && strstr(r.out, "Note over C: CLOSED"), "%s", r.out);
	cr_expect(!strchr(r.out, ';') && !strchr(r.out, '#'), "characters mermaid reads as syntax:\n%s", r.out);
	test_run_free(&r);
}
