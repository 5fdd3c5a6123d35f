/* chat_command.c - socklab chat-server and chat-client as data: operands, options, text, examples. */
#include "demos/cli.h"

int chat_server_main(int argc, char **argv);
int chat_client_main(int argc, char **argv);

static const struct cli_option server_options[] = {
	{ 's', "seed", "N", CLI_TEXT, NULL, "the letters' seed: the same seed, the same letters for each client", 0 },
	{ 'q', "quiet", NULL, CLI_TEXT, NULL, "do not log clients and messages", CLI_SHORT },
	{ 'i', "idle", "SECONDS", CLI_TEXT, NULL,
	  "datagram transports: forget a client quiet this long (default 600, more than 0)", 0 },
	{ 'm', "mode", "MODE", CLI_TEXT, NULL, "unix socket files: the file's mode, in octal (666: every user)", 0 },
	CLI_OPTION_TRACE,
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example server_examples[] = {
	{ "The chat server over UDP, the same letters every run:", "socklab chat-server --seed 7 udp://127.0.0.1:5556" },
	{ NULL, NULL },
};

const struct command chat_server_command = {
	.name = "chat-server",
	.summary = "the tutorial's chat server: a greeting, then a letter per message",
	.main = chat_server_main,
	.operands = { { "ENDPOINT", CLI_ENDPOINT, NULL } },
	.description = "The tutorial's chat server, for many clients at once: it greets each client with `type the "
		       "message`, answers every message with one random letter, and ends the chat when the client sends "
		       "`stop`. Serves until SIGINT, SIGTERM or SIGHUP. Prints `listening on ENDPOINT` once bound; logs "
		       "each message on standard error.\n\n"
		       "On a datagram transport (udp, unixgram) there is no connection: the server learns of a client "
		       "from its first datagram, greets it then, and answers that datagram too (an empty one, which "
		       "socklab's chat-client sends to be heard, gets only the greeting).",
	.options = server_options,
	.examples = server_examples,
};

static const struct cli_option client_options[] = {
	{ 'w', "timeout", "SECONDS", CLI_TEXT, NULL,
	  "how long to wait for the connection and for each answer (default 3, more than 0)", CLI_SHORT },
	CLI_OPTION_TRACE,
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example client_examples[] = {
	{ "Chat with the server above: two messages, then the end of the chat:",
	  "printf 'hello\\nhow are you\\nstop\\n' | socklab chat-client udp://127.0.0.1:5556" },
	{ NULL, NULL },
};

const struct command chat_client_command = {
	.name = "chat-client",
	.summary = "the tutorial's chat client: send lines, print the answers",
	.main = chat_client_main,
	.operands = { { "ENDPOINT", CLI_ENDPOINT, NULL } },
	.description = "The tutorial's chat client: prints the server's greeting, then sends each line of standard input "
		       "as one message (without its line ending, as the tutorial does) and prints the server's answer. "
		       "The line `stop` ends the chat; empty lines are skipped.\n\n"
		       "On a datagram transport (udp, unixgram) there is no connection, so the server cannot greet "
		       "first: this client opens with an empty datagram, and says so.",
	.options = client_options,
	.examples = client_examples,
};
