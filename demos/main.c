/* main.c - socklab: one program, a subcommand per demo, every demo over every transport. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demos/generate/generate.h"

static void usage(FILE *out)
{
	fprintf(out, "socklab %s - %s\n\nusage: socklab [--trace] COMMAND [OPTIONS] ENDPOINT [ARGS...]\n\ncommands:\n",
		SOCKLAB_VERSION, socklab_program.summary);
	for (size_t i = 0; commands[i]; i++)
		fprintf(out, "  %-13s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nendpoints (every command takes any of them):\n");
	for (size_t i = 0; transport_registry[i]; i++) {
		char example[40];
		fprintf(out, "  %-26s %s\n", cli_endpoint_example(transport_registry[i], example, sizeof example),
			transport_registry[i]->summary);
	}
	fprintf(out, "  (IPv6: tcp://[::1]:5555; a server on every address: tcp://:5555; port 0: any free port;\n"
		     "   Linux abstract unix names: unix:@name)\n\noptions:\n");
	for (const struct cli_option *o = socklab_program.options; o->key; o++) {
		if (o->flags & CLI_HIDDEN)
			continue;
		fprintf(out, "  --%-12s", o->name);
		cli_wrap(out, o->help, 16, 16, 80);
	}
}

int main(int argc, char **argv)
{
	const struct cli_option *o;
	const char *value;
	int i = 1;

	if (cli_std_fds() < 0)
		return EXIT_RUNTIME; /* no /dev/null: nothing can be said, and a socket could become standard output */
	opterr = 0; /* getopt_long() prints nothing: each command says what is wrong in one line (cli_bad_option) */

	/* Global options come before the command. */
	while (i < argc && argv[i][0] == '-') {
		int rc = cli_global_option(&socklab_program, argc, argv, &i, &o, &value);
		if (rc != 0)
			return rc;
		switch (o->key) {
		case 't': cli_trace_on(); break;
		case 'h': usage(stdout); return cli_exit(NULL, 0);
		case 'V': return cli_exit(NULL, cli_version(stdout));
		case 'G': return cli_exit(NULL, generate(value));
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t k = 0; commands[k]; k++)
		if (strcmp(commands[k]->name, argv[i]) == 0)
			return cli_exit(commands[k]->name, commands[k]->main(argc - i, argv + i));
	return cli_usage_error(NULL, "unknown command '%.40s'", argv[i]);
}
