/* cli_options.c - getopt_long() driven by a command's description, and the word lists options and operands take. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "transports/registry.h"

/* More options than any command has: tests/test_command.c keeps every table below it. */
#define OPTIONS_MAX 40

const char *cli_word(const struct cli_words *w, size_t i, const char **about)
{
	const char *none;

	if (!about)
		about = &none;
	*about = NULL;
	if (!w)
		return NULL;
	if (w->own) {
		for (size_t k = 0; k < i; k++)
			if (!w->own[k].name)
				return NULL;
		*about = w->own[i].about;
		return w->own[i].name;
	}
	return w->nth ? w->nth(i, about) : NULL;
}

/* The registry's i-th scheme, and its summary. */
static const char *scheme(size_t i, const char **about)
{
	for (size_t k = 0; k < i; k++)
		if (!transport_registry[k])
			return NULL;
	if (!transport_registry[i])
		return NULL;
	*about = transport_registry[i]->summary;
	return transport_registry[i]->scheme;
}

const struct cli_words cli_schemes = { .nth = scheme };

static const struct cli_word pollers[] = { { "poll", NULL }, { "epoll", NULL }, { NULL, NULL } };
const struct cli_words cli_pollers = { .own = pollers };

int cli_next_option(const struct command *cmd, int argc, char **argv)
{
	struct option longs[OPTIONS_MAX + 1];
	char shorts[2 * OPTIONS_MAX + 2] = ":"; /* ':' first: a missing value is ':', and getopt prints nothing */
	size_t n = 0, k = 1;

	for (const struct cli_option *o = cmd->options; o->key && n < OPTIONS_MAX; o++) {
		if (o->name)
			longs[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL, o->key };
		if (o->flags & CLI_SHORT) {
			shorts[k++] = (char)o->key;
			if (o->arg)
				shorts[k++] = ':';
		}
	}
	longs[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k] = '\0';
	return getopt_long(argc, argv, shorts, longs, NULL);
}

const char *cli_endpoint_example(const struct transport *t, char *buf, size_t len)
{
	snprintf(buf, len, transport_has_socket_file(t) ? "%s:/tmp/echo.sock" : "%s://127.0.0.1:5555", t->scheme);
	return buf;
}

/* The row of program's options that text names ("--trace", "--generate=man", "-h"), or NULL. */
static const struct cli_option *global_find(const struct command *program, const char *text, size_t len)
{
	for (const struct cli_option *o = program->options; o->key; o++) {
		if (o->name && text[1] == '-' && strlen(o->name) == len - 2 && strncmp(text + 2, o->name, len - 2) == 0)
			return o;
		if ((o->flags & CLI_SHORT) && len == 2 && text[1] == o->key)
			return o;
	}
	return NULL;
}

int cli_global_option(const struct command *program, int argc, char **argv, int *i, const struct cli_option **o,
		      const char **value)
{
	const char *text = argv[*i];
	size_t len = strcspn(text, "=");

	*o = global_find(program, text, len);
	*value = NULL;
	if (!*o)
		return cli_usage_error(NULL, "unknown option '%.40s'", text);
	if (!(*o)->arg && text[len] == '=')
		return cli_usage_error(NULL, "option '--%s' takes no value", (*o)->name);
	if ((*o)->arg && text[len] == '=')
		*value = text + len + 1;
	else if ((*o)->arg && *i + 1 < argc)
		*value = argv[++*i];
	else if ((*o)->arg)
		return cli_usage_error(NULL, "option '%.40s' needs a value", text);
	++*i;
	return 0;
}
