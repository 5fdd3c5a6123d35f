/* commands.c - the program and its subcommands: socklab's own description, and one line per command in demos/. */
#include "cli.h"
#include "demos/generate/generate.h"

/* Global options come before the command; --generate is for contributors (docs/CONVENTIONS.md), never listed. */
static const struct cli_option global_options[] = {
	CLI_OPTION_TRACE,
	{ 'h', "help", NULL, CLI_TEXT, NULL, "print the commands and endpoints; `socklab COMMAND --help` prints a command's own",
	  CLI_SHORT },
	{ 'V', "version", NULL, CLI_TEXT, NULL, "print the version, and what this build can do", 0 },
	{ 'G', "generate", "WHAT", CLI_ONE, &generate_words,
	  "write socklab(1) or a shell's completion script to standard output", CLI_HIDDEN },
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "An echo server over TCP, and a client that sends it two messages:",
	  "socklab echo-server tcp://127.0.0.1:5555 &\nsocklab echo-client tcp://127.0.0.1:5555 hello world" },
	{ "The same client over UDP, every socket call narrated on standard error:",
	  "socklab echo-server udp://127.0.0.1:5555 &\nsocklab --trace echo-client udp://127.0.0.1:5555 hello" },
	{ "What differs between the transports, observed on this host, as a table:", "socklab contrast" },
	{ NULL, NULL },
};

const struct command socklab_program = {
	.name = "socklab",
	.summary = "the same socket code over TCP, UDP and unix sockets, side by side",
	.operands = { { "COMMAND", CLI_ONE, NULL }, { "[OPTIONS]", CLI_TEXT, NULL }, { "[ARGS...]", CLI_TEXT, NULL } },
	.description = "socklab teaches socket programming in C by running the same client and server logic over every "
		       "transport (TCP, UDP, and unix stream, datagram and seqpacket sockets) behind one interface, and "
		       "showing live what changes. A command that takes an ENDPOINT takes any transport's (see "
		       "ENDPOINTS), and --trace before the command narrates every socket call as it happens.\n\n"
		       "Every figure socklab prints is what the kernel did or said in this run, or is labelled as "
		       "socklab's own (a simulation, a protocol of its own). Where Linux and other systems differ, "
		       "socklab shows Linux.",
	.options = global_options,
	.examples = examples,
};

extern const struct command echo_server_command, echo_client_command, load_command, chat_server_command,
	chat_client_command, send_command, recv_command, pitfalls_command, bench_command, fdpass_command, creds_command,
	socketpair_command, multicast_command, contrast_command, congestion_command, wire_command;

/* In the order `socklab --help` and the man page list them. */
const struct command *const commands[] = {
	&echo_server_command,
	&echo_client_command,
	&load_command,
	&chat_server_command,
	&chat_client_command,
	&send_command,
	&recv_command,
	&pitfalls_command,
	&bench_command,
	&fdpass_command,
	&creds_command,
	&socketpair_command,
	&multicast_command,
	&contrast_command,
	&congestion_command,
	&wire_command,
	NULL,
};
