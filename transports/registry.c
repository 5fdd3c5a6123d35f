/* registry.c - every transport socklab knows, and finding one by its scheme. */
#include <string.h>

#include "registry.h"

#define TRANSPORT(name) extern const struct transport name;
#include "transports.def"
#undef TRANSPORT

const struct transport *const transport_registry[] = {
#define TRANSPORT(name) &name,
#include "transports.def"
#undef TRANSPORT
	NULL,
};

const struct transport *transport_find(const char *scheme, size_t n)
{
	for (size_t i = 0; transport_registry[i]; i++) {
		const char *s = transport_registry[i]->scheme;
		if (strlen(s) == n && memcmp(s, scheme, n) == 0)
			return transport_registry[i];
	}
	return NULL;
}
