/* registry.h - every transport socklab knows, in the order --help lists them, and finding one by scheme. */
#ifndef SOCKLAB_REGISTRY_H
#define SOCKLAB_REGISTRY_H

#include <stddef.h>

#include "core/transport.h"

/* The registry: every transport, NULL-terminated (transports.def, one line each). */
extern const struct transport *const transport_registry[];

/* The transport whose scheme is the n bytes at scheme, or NULL. */
const struct transport *transport_find(const char *scheme, size_t n);

#endif
