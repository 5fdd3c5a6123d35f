/* main.c - socklab: one program, a subcommand per demo, every demo over every transport. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out, "socklab %s - the same socket code over TCP, UDP and unix sockets, side by side\n\n"
		     "usage: socklab [--trace] COMMAND [OPTIONS] ENDPOINT [ARGS...]\n\ncommands:\n",
		SOCKLAB_VERSION);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-13s %s\n", c->name, c->summary);
	fprintf(out, "\nendpoints (every command takes any of them):\n");
	for (size_t i = 0; transport_registry[i]; i++) {
		const struct transport *t = transport_registry[i];
		char example[40];
		snprintf(example, sizeof example, transport_has_socket_file(t) ? "%s:/tmp/echo.sock" : "%s://127.0.0.1:5555",
			 t->scheme);
		fprintf(out, "  %-26s %s\n", example, t->summary);
	}
	fprintf(out, "  (IPv6: tcp://[::1]:5555; a server on every address: tcp://:5555; port 0: any free port;\n"
		     "   Linux abstract unix names: unix:@name)\n\n"
		     "options:\n"
		     "  --trace       narrate every socket call on standard error\n"
		     "  --help        this help; 'socklab COMMAND --help' for a command's own\n"
		     "  --version     print the version\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	if (cli_std_fds() < 0)
		return EXIT_RUNTIME; /* no /dev/null: nothing can be said, and a socket could become standard output */
	opterr = 0; /* getopt_long() prints nothing: each command says what is wrong in one line (cli_bad_option) */

	/* Global options come before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--trace") == 0) {
			cli_trace_on();
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return cli_exit(NULL, 0);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("socklab %s\n", SOCKLAB_VERSION);
			return cli_exit(NULL, 0);
		} else {
			return cli_usage_error(NULL, "unknown option '%.40s'", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[i]) == 0)
			return cli_exit(c->name, c->main(argc - i, argv + i));
	return cli_usage_error(NULL, "unknown command '%.40s'", argv[i]);
}
