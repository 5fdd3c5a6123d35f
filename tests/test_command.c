/* test_command.c - the commands' descriptions: whole, unambiguous, and the same options the program parses. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "demos/cli.h"
#include "tests/support/helpers.h"

#define OPTIONS_MAX 40 /* cli_options.c builds getopt_long()'s table in an array this long */

static size_t command_count(void)
{
	size_t n = 0;
	while (commands[n])
		n++;
	return n;
}

ParameterizedTestParameters(command, described)
{
	static size_t idx[64];
	for (size_t i = 0; i < command_count() && i < 64; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, command_count());
}

/* Every command says what it is, what it takes and how to use it; no key or name is used twice. */
ParameterizedTest(size_t *i, command, described)
{
	const struct command *c = commands[*i];
	size_t n = 0;

	cr_expect(c->summary && c->summary[0] && c->description && c->description[0], "%s: no summary or text", c->name);
	cr_expect(c->main, "%s: no main()", c->name);
	cr_expect(c->examples && c->examples[0].what, "%s: no example", c->name);
	for (const struct cli_option *o = c->options; o->key; o++, n++) {
		cr_expect(o->help && o->help[0], "%s: option %c has no help", c->name, o->key);
		cr_expect(o->name || (o->flags & CLI_SHORT), "%s: option %c has no name at all", c->name, o->key);
		cr_expect(!(o->flags & CLI_SHORT) || isalnum(o->key), "%s: short option %d is not a letter", c->name, o->key);
		cr_expect((o->value != CLI_ONE && o->value != CLI_LIST) || cli_word(o->words, 0, NULL),
			  "%s --%s: a list of values without words", c->name, o->name);
		cr_expect(!(o->flags & CLI_SHOW_WORDS) || o->words, "%s --%s: no words to show", c->name, o->name);
		for (const struct cli_option *p = o + 1; p->key; p++) {
			cr_expect(p->key != o->key, "%s: key %c twice", c->name, o->key);
			cr_expect(!o->name || !p->name || strcmp(o->name, p->name) != 0, "%s: --%s twice", c->name, o->name);
		}
	}
	cr_expect_lt(n, OPTIONS_MAX, "%s: %zu options, more than cli_next_option() can hold", c->name, n);
	for (size_t k = 0; k < sizeof c->operands / sizeof c->operands[0] && c->operands[k].name; k++)
		cr_expect((c->operands[k].value != CLI_ONE && c->operands[k].value != CLI_LIST) ||
				  cli_word(c->operands[k].words, 0, NULL),
			  "%s %s: a list without words", c->name, c->operands[k].name);
}

ParameterizedTestParameters(command, examples_use_real_options)
{
	static size_t idx[64];
	for (size_t i = 0; i < command_count() && i < 64; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, command_count());
}

/* The options an example uses are the command's own: an example that cannot run would teach the wrong thing. */
ParameterizedTest(size_t *i, command, examples_use_real_options)
{
	const struct command *c = commands[*i];

	for (const struct cli_example *e = c->examples; e && e->what; e++)
		for (const char *line = e->lines; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
			char text[512];
			snprintf(text, sizeof text, "%.*s", (int)strcspn(line, "\n"), line);
			const char *cmd = strstr(text, c->name);
			cr_expect(strstr(text, "socklab ") && cmd, "%s: a line of another command: %s", c->name, text);
			for (const char *p = strstr(text, " --"); cmd && p; p = strstr(p + 1, " --")) {
				char name[40];
				int found = 0;
				if (sscanf(p, " --%39[a-z0-9-]", name) != 1)
					continue;
				/* before the command, a global option (--trace); after it, the command's own */
				const struct cli_option *o = p < cmd ? socklab_program.options : c->options;
				for (; o->key; o++)
					found |= o->name && strcmp(o->name, name) == 0;
				cr_expect(found, "%s: the example uses --%s, which it does not take there: %s", c->name, name, text);
			}
		}
}

/* Runs `socklab CMD ARGS... --zzz-not-an-option` and says whether the line blames the last one (all else parsed). */
static int parsed_up_to_the_end(const char *cmd, const char *opt, const char *value, char *err, size_t len)
{
	const char *argv[6] = { "socklab", cmd, opt, value ? value : "--zzz-not-an-option", value ? "--zzz-not-an-option" : NULL,
				NULL };
	struct run_result r;

	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	int ok = r.status == 2 && strstr(r.err, "unknown option '--zzz-not-an-option'") != NULL;
	snprintf(err, len, "exit %d: %s", r.status, r.err);
	test_run_free(&r);
	return ok;
}

ParameterizedTestParameters(command, every_option_is_parsed)
{
	static size_t idx[64];
	for (size_t i = 0; i < command_count() && i < 64; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, command_count());
}

/*
 * The description and the parser agree: every option the description lists is
 * taken (getopt_long() does not call it unknown, and the command's switch has
 * a case for its key), and each word of a fixed list of values is accepted.
 */
ParameterizedTest(size_t *i, command, every_option_is_parsed)
{
	const struct command *c = commands[*i];
	char opt[48], err[512];

	if (strcmp(c->name, "pitfalls") == 0)
		cr_skip_test("pitfalls takes NAME first and no options but --help");
	for (const struct cli_option *o = c->options; o->key; o++) {
		if (o->key == 'h')
			continue;
		if (o->name)
			snprintf(opt, sizeof opt, "--%s", o->name);
		else
			snprintf(opt, sizeof opt, "-%c", o->key);
		const char *value = o->arg ? "1" : NULL;
		const char *word = o->value == CLI_ONE || o->value == CLI_LIST ? cli_word(o->words, 0, NULL) : NULL;
		if (word)
			value = word;
		int ok = parsed_up_to_the_end(c->name, opt, value, err, sizeof err);
		char unknown[80];
		snprintf(unknown, sizeof unknown, "unknown option '%s'", opt);
		/* a value refused is a usage error about it; the option itself is never unknown */
		cr_expect(ok || !strstr(err, unknown), "%s %s %s: %s", c->name, opt, value ? value : "", err);
		if (o->value == CLI_ONE && o->words && o->words->own)
			for (size_t k = 0; (word = cli_word(o->words, k, NULL)); k++)
				cr_expect(parsed_up_to_the_end(c->name, opt, word, err, sizeof err), "%s %s %s is refused: %s",
					  c->name, opt, word, err);
	}
}
