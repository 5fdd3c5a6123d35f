/* commands.c - the registry of subcommands: one line per program in demos/. */
#include "cli.h"

int echo_server_main(int argc, char **argv);
int echo_client_main(int argc, char **argv);

const struct command commands[] = {
	{ "echo-server", "serve echo on ENDPOINT until Ctrl-C", echo_server_main },
	{ "echo-client", "send messages to an echo server and print each reply", echo_client_main },
	{ NULL, NULL, NULL },
};
