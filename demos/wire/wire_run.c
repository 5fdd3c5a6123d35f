/* wire_run.c - one run of socklab wire: a private namespace, its loss rules, the capture around the exchange, the report. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "demos/netns.h"
#include "wire.h"

/* How long the connections may take to finish after the exchange: a lossy one retransmits for a while. */
#define SETTLE_MS 3000
#define SETTLE_LOSSY_MS 10000
/* The namespace's SYN retries for no-server: connect() gives up after about 3 s instead of about 2 minutes. */
#define NO_SERVER_SYN_RETRIES "1"

struct run {
	const struct wire_options *o;
	struct wire_capture cap;
	struct wire_exchange x;
	struct wire_pkt *pkts;
	struct wire_note *notes;
	long long *t_ns;
	struct wire_flow flow;
	int capture_err; /* the first error reading the capture during the exchange */
	int settled;     /* every connection had ended when the capture stopped */
};

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "socklab: wire: %s%s%s\n", what, why[0] ? ": " : "", why);
	return EXIT_RUNTIME;
}

/* The exchange's tick: read what the capture holds, so that its queue never fills. */
static void tick(void *ctx)
{
	struct run *r = ctx;
	if (wire_capture_drain(&r->cap) < 0 && !r->capture_err)
		r->capture_err = errno;
}

/* The namespace, and what the scenario needs in it: loss rules, a black hole, fewer SYN retries. */
static int prepare(const struct wire_options *o, char *why, size_t whylen)
{
	if (netns_enter_private(why, whylen) < 0)
		return -1;
	if (o->loss > 0 && wire_net_loss(o->loss, o->seeded, o->seed, why, whylen) < 0)
		return -1;
	if (strcmp(o->sc->name, "no-server") == 0) {
		unsigned port = (unsigned)strtoul(o->ep.port, NULL, 10);
		if (wire_net_blackhole(port, why, whylen) < 0)
			return -1;
		if (transport_is_connected(o->t) &&
		    wire_net_sysctl("net/ipv4/tcp_syn_retries", NO_SERVER_SYN_RETRIES "\n", why, whylen) < 0)
			return -1;
	}
	return 0;
}

/* Reads until no connection of the namespace is still at work (or the time is up). 0, or -1 with errno. */
static int settle(struct run *r)
{
	long long deadline = sys_now_ms() + (r->o->sc->nft || r->o->loss > 0 ? SETTLE_LOSSY_MS : SETTLE_MS);

	for (;;) {
		if (wire_capture_drain(&r->cap) < 0)
			return -1;
		if (wire_net_tcp_busy() == 0) {
			r->settled = 1;
			return 0;
		}
		if (sys_now_ms() > deadline)
			return 0;
		if (wire_capture_wait(&r->cap, 20) < 0) /* a retransmission is a packet: wait for packets */
			return -1;
	}
}

/* The server's address as the analysis compares it. */
static void server_ends(const struct wire_exchange *x, const struct transport *t, struct wire_ends *e)
{
	memset(e, 0, sizeof *e);
	e->family = x->server.ss.ss_family;
	e->proto = t->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	e->sport = (uint16_t)addr_port(&x->server);
	if (e->family == AF_INET)
		memcpy(e->src, &((const struct sockaddr_in *)&x->server.ss)->sin_addr, 4);
	else if (e->family == AF_INET6)
		memcpy(e->src, &((const struct sockaddr_in6 *)&x->server.ss)->sin6_addr, 16);
}

/* Decodes every frame and reads them as the exchange. 0, or -1 (ENOMEM). */
static int decode(struct run *r)
{
	size_t n = r->cap.n;
	const struct timespec *t0 = n ? &r->cap.v[0].ts : NULL;

	r->pkts = calloc(n ? n : 1, sizeof *r->pkts);
	r->notes = calloc(n ? n : 1, sizeof *r->notes);
	r->t_ns = calloc(n ? n : 1, sizeof *r->t_ns);
	if (!r->pkts || !r->notes || !r->t_ns)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct wire_frame *f = &r->cap.v[i];
		wire_parse(f->bytes, f->caplen, &r->pkts[i]);
		r->t_ns[i] = (long long)(f->ts.tv_sec - t0->tv_sec) * 1000000000LL + (f->ts.tv_nsec - t0->tv_nsec);
	}
	memset(&r->flow, 0, sizeof r->flow);
	server_ends(&r->x, r->o->t, &r->flow.server);
	r->flow.have_server = r->flow.server.family != 0;
	r->flow.listening = r->x.listening;
	wire_flow_analyze(&r->flow, r->pkts, r->t_ns, n, r->notes);
	return 0;
}

/* Prints the report in the format asked for, and writes the pcap file. The exit code. */
static int report(struct run *r, long long retrans)
{
	const struct wire_options *o = r->o;
	struct wire_report rep = {
		.scheme = o->t->scheme, .scenario = o->sc->name, .frames = r->cap.v, .pkts = r->pkts, .notes = r->notes, .t_ns = r->t_ns,
		.n = r->cap.n, .flow = &r->flow, .x = &r->x, .loss_pct = o->loss, .kernel_retrans = retrans,
		.nft_dropped = o->sc->nft || o->loss > 0 ? wire_net_dropped() : -1, .twins = r->cap.twins,
		.dropped = r->cap.dropped, .unkept = r->cap.unkept, .settled = r->settled,
		.where = netns_unprivileged() ? "unprivileged" : "as root",
	};

	if (strcmp(o->format, "json") == 0)
		wire_print_json(stdout, &rep);
	else if (strcmp(o->format, "mermaid") == 0)
		wire_print_mermaid(stdout, &rep);
	else
		wire_print_ladder(stdout, &rep);
	if (o->explain && strcmp(o->format, "json") != 0)
		wire_print_explain(stdout, &rep);
	if (o->pcap) {
		if (wire_pcap_write(o->pcap, &r->cap) < 0)
			return cli_error("wire", errno, "open", "write %s", o->pcap);
		if (strcmp(o->format, "ladder") == 0)
			printf("\n%zu packets written to %s (pcap: tcpdump -r %s, or Wireshark)\n", r->cap.n, o->pcap, o->pcap);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		return cli_error("wire", errno ? errno : EIO, NULL, "write standard output");
	return 0;
}

int wire_run(const struct wire_options *o)
{
	struct run r = { .o = o, .cap = { .fd = -1 } };
	char why[512] = "";
	int rc;

	if (prepare(o, why, sizeof why) < 0)
		return fail(o->loss > 0 || o->sc->nft ? "set up the namespace's rules" : "enter a private network namespace",
			    why);
	if (wire_capture_open(&r.cap, "lo") < 0) {
		snprintf(why, sizeof why, "%s%s", errno_text(errno),
			 errno == EPERM ? " (a packet socket needs CAP_NET_RAW in the namespace)" : "");
		return fail("open a packet socket on lo", why);
	}
	long long before = wire_net_retrans_segs();
	r.x = (struct wire_exchange){ .t = o->t, .ep = o->ep, .messages = WIRE_LOSS_MESSAGES, .tick = tick, .tick_ctx = &r };
	if (o->sc->run(&r.x) < 0) {
		int err = errno;
		wire_capture_close(&r.cap);
		return cli_error("wire", err, "bind", "set up the %s exchange at %s://%s:%s%s", o->sc->name, o->t->scheme,
				 o->ep.host, o->ep.port,
				 err == EADDRNOTAVAIL ? " (the namespace has only lo: 127.0.0.1 or [::1])" : "");
	}
	if (r.capture_err || settle(&r) < 0 || wire_capture_finish(&r.cap) < 0) {
		int err = r.capture_err ? r.capture_err : errno;
		wire_capture_close(&r.cap);
		return cli_error("wire", err, NULL, "read the capture");
	}
	long long after = wire_net_retrans_segs();
	rc = decode(&r) < 0 ? cli_error("wire", ENOMEM, NULL, "decode the capture")
			    : report(&r, before >= 0 && after >= 0 ? after - before : -1);
	wire_capture_close(&r.cap);
	free(r.pkts);
	free(r.notes);
	free(r.t_ns);
	return rc;
}
