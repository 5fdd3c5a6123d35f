/* bench_command.c - socklab bench as data: its options, the tests and placements they name, text, examples. */
#include "demos/cli.h"
#include "bench.h"
#include "bench_loss.h"

#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

int bench_main(int argc, char **argv);

static const struct cli_word tests[] = {
	{ "rtt", "ping-pong of 64-byte messages: median and 99th percentile round trip, and the first one on each new "
		 "socket (cold)" },
	{ "bulk", "one way, as fast as the receiver takes it: 128 KiB writes on streams, 1400-byte UDP datagrams, 8 KiB "
		  "unix messages; over udp and unixgram a credit window keeps the receiver from being overrun, lost "
		  "datagrams are counted, and many datagrams go per system call (sendmmsg, recvmmsg, UDP segmentation "
		  "offload)" },
	{ "all", "rtt and bulk (the default)" },
	{ "nagle", "tcp only: requests written in two parts, with and without TCP_NODELAY" },
	{ NULL, NULL },
};
static const struct cli_words test_words = { .own = tests };

static const struct cli_word places[] = {
	{ "same", "the client and the servers on the same CPU" },
	{ "split", "on two CPUs" },
	{ "both", "both placements side by side, the better marked (the default with two CPUs or more)" },
	{ "none", "wherever the scheduler puts them" },
	{ NULL, NULL },
};
static const struct cli_words place_words = { .own = places };

static const struct cli_option options[] = {
	{ 'T', "transports", "LIST", CLI_LIST, &cli_schemes, "comma-separated schemes (default: every kernel transport; not rdt, which has no raw path)", 0 },
	{ 'x', "test", "NAME", CLI_ONE, &test_words, "the test to run:", CLI_SHOW_WORDS },
	{ 's', "seconds", "N", CLI_TEXT, NULL,
	  "time per test and transport, both paths and placements together (default 1)", 0 },
	{ 'p', "pin", "WHERE", CLI_ONE, &place_words, "where the client and the servers run:", CLI_SHOW_WORDS },
	{ 'b', "batch", "N", CLI_TEXT, NULL,
	  "datagram bulk: at most N datagrams per system call, 1 to " NUMBER(BENCH_BATCH_MAX) " (default: "
	  NUMBER(BENCH_WINDOW) " on one CPU, " NUMBER(BENCH_CREDIT_EVERY) " on two); 1 sends and receives each with "
	  "its own sendto and recvfrom", 0 },
	{ 'j', "json", NULL, CLI_TEXT, NULL, "one JSON object per line instead of the tables", 0 },
	{ 'l', "loss", "LIST", CLI_TEXT, NULL,
	  "instead: rdt, socklab's own protocol, in each mode (sw, gbn, sr) through each loss, in percent (for "
	  "example 0,1,5,10): the impairment layer drops that share of both ends' UDP datagrams, seeded; beside it "
	  "kernel TCP in a private network namespace whose lo drops that share of its segments (nftables, not "
	  "seeded; whole percents); goodput, p50/p99 round trip, packets sent again per message; then socklab's "
	  "simulation of rdt's modes through the same losses, labelled so (a simulated clock and link: the same "
	  "seed gives the same retransmission counts, exactly, where the real rows' vary a little from run to run); "
	  "then issue 12's goals as measured", 0 },
	{ 'e', "seed", "N", CLI_TEXT, NULL,
	  "with --loss: rdt's drops are drawn from N on the client and N+1 on the server, in the real rows and the "
	  "simulation alike; 0 to 18446744073709551614 (default " NUMBER(LOSS_SEED) ")", 0 },
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Every test over every transport, then round trips only, over tcp and unix, for 3 seconds each:",
	  "socklab bench\nsocklab bench --test rtt --transports tcp,unix --seconds 3" },
	{ "UDP's bulk on two CPUs, one datagram per system call against many:",
	  "socklab bench --test bulk --transports udp --pin split --batch 1\n"
	  "socklab bench --test bulk --transports udp --pin split" },
	{ "rdt's stop-and-wait, Go-Back-N and selective repeat, and kernel TCP, through 0, 1, 5 and 10 percent loss:",
	  "socklab bench --loss 0,1,5,10" },
	{ "The same sweep with other drops: the simulated table's counts are the same on every run with seed 7:",
	  "socklab bench --loss 0,1,5,10 --seed 7" },
	{ NULL, NULL },
};

const struct command bench_command = {
	.name = "bench",
	.summary = "round trips and throughput of every transport, with and without the interface",
	.main = bench_main,
	.description = "Measures each transport over loopback, twice in the same run: through socklab's transport "
		       "interface (`socklab`) and with plain socket calls written in the benchmark (`raw`), in "
		       "interleaved rounds, and prints the ratio: what the interface costs. Each test runs with the client "
		       "and the server on one CPU and on two, and the better placement is marked.",
	.options = options,
	.examples = examples,
};
