/* contrast_command.c - socklab contrast as data: its options, the scenarios (its table) and formats, examples. */
#include "demos/cli.h"
#include "contrast.h"

int contrast_main(int argc, char **argv);

#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

/* The i-th scenario's name, and its question in *about; NULL past the last. */
static const char *scenario_name(size_t i, const char **about)
{
	if (i >= contrast_nscenarios)
		return NULL;
	*about = contrast_scenarios[i].question;
	return contrast_scenarios[i].name;
}

static const struct cli_words scenarios = { .nth = scenario_name };

static const struct cli_word formats[] = {
	{ "text", NULL }, { "markdown", NULL }, { "json", NULL }, { "mermaid", NULL }, { "sequence", NULL }, { NULL, NULL },
};
const struct cli_words contrast_formats = { .own = formats };

static const struct cli_option options[] = {
	{ 'T', "transports", "LIST", CLI_LIST, &cli_schemes, "comma-separated schemes (default: all): tcp,udp", 0 },
	{ 'S', "scenarios", "LIST", CLI_LIST, &scenarios, "comma-separated scenario names (default: all, see below)", 0 },
	{ 'f', "format", "FORMAT", CLI_ONE, &contrast_formats,
	  "text (default), markdown, json (one object per scenario and transport), or the calls of one traced exchange "
	  "(scenario 11, calls) as a diagram: mermaid, or sequence (plain text)", 0 },
	{ 'w', "width", "N", CLI_TEXT, NULL,
	  "text and sequence: N columns (" NUMBER(CONTRAST_WIDTH_MIN) " to " NUMBER(CONTRAST_WIDTH_MAX) "). Default: "
	  "$COLUMNS, else the terminal's width, else 80. A table wider than that shows one scenario at a time, a "
	  "transport a line", 0 },
	{ 'i', "impair", "OPTIONS", CLI_TEXT, NULL,
	  "impair every endpoint, as after `?` in an endpoint: drop=0.2&seed=7 (drop, dup and reorder: udp, and rdt beneath "
	  "it; see docs/contrast.md)", 0 },
	{ 'F', "filtered", "PORT", CLI_TEXT, NULL,
	  "scenario 1 also dials 127.0.0.1:PORT, where a firewall drops every packet (make lab sets one up)", 0 },
	CLI_OPTION_TRACE,
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Every scenario over every transport, then three of them as a markdown table:",
	  "socklab contrast\nsocklab contrast --format markdown --transports tcp,udp --scenarios boundaries,size" },
	{ "The system calls of one exchange per transport, as a diagram, and UDP losing a fifth of its datagrams:",
	  "socklab contrast --format sequence\nsocklab contrast --transports udp --impair drop=0.2 --scenarios delivery" },
	{ NULL, NULL },
};

const struct command contrast_command = {
	.name = "contrast",
	.summary = "the same scenarios over every transport, side by side, as observed",
	.main = contrast_main,
	.description = "Runs the same scenarios over every transport, on this host, and prints what the kernel did in "
		       "each, and why the transports differ. Every cell is a system call's result or a kernel counter "
		       "read in this run (docs/contrast.md lists which).",
	.options = options,
	.topics = "scenarios",
	.topic_words = &scenarios,
	.examples = examples,
};
