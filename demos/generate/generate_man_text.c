/* generate_man_text.c - the sections of socklab(1) that are no command's: endpoints, environment, files, exit status. */
#include "generate.h"

#include <stdio.h>
#include <string.h>

#include "demos/cli.h"
#include "transports/impair/impair.h"
#include "transports/registry.h"

/* A section's paragraphs, each a tagged one when it has a tag. */
struct para {
	const char *tag; /* roff already: "\fBCOLUMNS\fR"; NULL for a plain paragraph */
	const char *text;
};

static void paras(FILE *out, const struct para *p)
{
	for (; p->text; p++) {
		fprintf(out, p->tag ? ".TP\n%s\n" : ".PP\n", p->tag);
		man_text(out, p->text);
	}
}

static const struct para endpoint_forms[] = {
	{ NULL, "HOST is a name, an IPv4 address, or an IPv6 address in brackets (tcp://[::1]:5555); names are looked up "
		"with getaddrinfo(3), IPv4 and IPv6 alike. A server given no host (tcp://:5555) listens on every local "
		"address, IPv6 first (Linux then accepts IPv4 on the same socket); given port 0, on a port the kernel "
		"picks, and it prints which." },
	{ NULL, "PATH names a socket file: absolute (unix:/tmp/echo.sock, or unix:///tmp/echo.sock) or relative to the "
		"current directory (unix:echo.sock), of at most 107 bytes (sun_path, on Linux). On Linux, unix:@NAME "
		"names a socket in the abstract namespace instead, which has no file. A unix datagram client binds a name of its own, so "
		"that the server has an address to answer." },
	{ NULL, "A command given an endpoint of the wrong form says which part is wrong and exits 2, before any socket "
		"is made." },
	{ NULL, NULL },
};

/* Every transport of the registry, as an endpoint is written for it, with its summary. */
static void transports(FILE *out)
{
	for (size_t i = 0; transport_registry[i]; i++) {
		const struct transport *t = transport_registry[i];
		fputs(".TP\n", out);
		man_word(out, "B", t->scheme);
		fputs(transport_has_socket_file(t) ? "\\fB:\\fIPATH\\fR\n" : "\\fB://\\fIHOST\\fB:\\fIPORT\\fR\n", out);
		man_text(out, t->summary);
	}
}

/* The impairment layer's options, from its own table. */
static void impairment(FILE *out)
{
	const char *name, *value, *about;

	fputs(".SS \"Impairment: ?OPTIONS\"\n", out);
	man_text(out, "An endpoint may end with ?KEY=VALUE&KEY=VALUE... to put socklab's impairment layer between the "
		      "command and the kernel, on the side that opened that endpoint "
		      "(udp://127.0.0.1:5555?drop=0.1&seed=7). It is socklab's own simulation, done on the way out: "
		      "the kernel never sees a datagram it drops.");
	for (size_t i = 0; (name = impair_option_at(i, &value, &about)); i++) {
		fputs(".TP\n", out);
		man_word(out, "B", name);
		fputs("\\fB=\\fR", out);
		man_word(out, "I", value);
		fputc('\n', out);
		man_text(out, about);
	}
	fputs(".PP\n", out);
	man_text(out, "Only what can really happen to a transport is offered: drop, dup and reorder are refused (exit "
		      "2) on a reliable transport, which never loses, duplicates or reorders what it carries: TCP "
		      "repairs loss itself, and Linux never loses a unix datagram. `contrast --impair` applies the same "
		      "options to every endpoint of its run.");
}

void generate_man_endpoints(FILE *out)
{
	fputs(".SH ENDPOINTS\n", out);
	man_text(out, "An endpoint names the transport and the address, and every command that takes an ENDPOINT "
		      "takes any of these:");
	transports(out);
	paras(out, endpoint_forms);
	impairment(out);
}

static const struct para environment[] = {
	{ "\\fBCOLUMNS\\fR", "socklab contrast: the width of the table when --width is not given (40 to 1000); "
			     "without it, the terminal's width, else 80." },
	{ "\\fBPATH\\fR", "socklab congestion: where ip(8), tc(8) and nft(8) are looked for, then /usr/sbin and "
			  "/sbin." },
	{ NULL, NULL },
};

static const struct para files[] = {
	{ "\\fIPATH\\fR", "the socket file of a unix endpoint. A server makes it with no more permission than the "
			  "umask allows and never writable by others (--mode sets another), and removes it when it "
			  "stops, on SIGINT, SIGTERM and SIGHUP too. It never removes a file that is not a socket, and "
			  "never one a live server holds." },
	{ "\\fIPATH\\fB.lock\\fR", "beside each socket file a socklab server makes: it holds flock(2) on it from "
				   "before bind(2) until its socket file is gone, and removes it then. Whoever holds "
				   "the lock alone may decide that a socket file left by a dead server is stale, and "
				   "replace it." },
	{ "\\fI/tmp/socklab\\-*.XXXXXX\\fR", "the private directories of contrast, bench, fdpass, pitfalls and wire, "
					     "for the socket files and files they make: removed when they end." },
	{ "\\fIDIR\\fB/.\\fINAME\\fB.socklab\\-XXXXXX\\fR", "where socklab recv writes FILE (DIR/NAME) first: it "
							      "takes FILE's place only when the transfer is whole." },
	{ "\\fI/proc/net/*\\fR, \\fI/proc/sys/net/*\\fR", "Linux: the kernel's counters and settings that contrast, "
							  "recv and congestion read and print (congestion sets some, in "
							  "its own namespaces only)." },
	{ NULL, NULL },
};

static const struct para exit_status[] = {
	{ "\\fB0\\fR", "success: what the command set out to do happened. echo-server and chat-server, stopped by "
		       "SIGINT, SIGTERM or SIGHUP, exit 0 once they have closed their clients and removed their socket "
		       "file." },
	{ "\\fB1\\fR", "a failure at run time: a system call failed, a peer did not answer, data was lost on a reliable "
		       "transport, standard output could not be written. One line on standard error says what, where "
		       "and why, with a hint where one helps." },
	{ "\\fB2\\fR", "a usage error: an unknown command or option, a missing or bad value, a malformed endpoint. One "
		       "line on standard error says what is wrong, and where to read more." },
	{ NULL, NULL },
};

void generate_man_closing(FILE *out)
{
	fputs(".SH ENVIRONMENT\n", out);
	paras(out, environment);
	fputs(".SH FILES\n", out);
	paras(out, files);
	fputs(".SH EXIT STATUS\n", out);
	paras(out, exit_status);
	fputs(".SH EXAMPLES\n", out);
	for (const struct cli_example *e = socklab_program.examples; e->what; e++) {
		fputs(e == socklab_program.examples ? "" : ".PP\n", out);
		man_example(out, e);
	}
	fputs(".PP\nEach command's own examples are under COMMANDS.\n", out);
	fputs(".SH NOTES\n", out);
	man_text(out, "socklab is written for Linux, and shows what Linux does. It builds on macOS and the BSDs without "
		      "what only Linux has (epoll, abstract unix names, packet capture, network namespaces, "
		      "SO_PEERCRED...): `socklab --version` lists what a build has, and the README says what each "
		      "system lacks.");
	fputs(".SH SEE ALSO\n", out);
	fputs(".BR socket (7),\n.BR tcp (7),\n.BR udp (7),\n.BR unix (7),\n.BR ip (7),\n.BR ipv6 (7),\n.BR epoll (7),\n"
	      ".BR packet (7),\n.BR socket (2),\n.BR socketpair (2),\n.BR getaddrinfo (3),\n.BR nc (1),\n.BR socat (1),\n"
	      ".BR tcpdump (8),\n.BR tc (8)\n", out);
}
