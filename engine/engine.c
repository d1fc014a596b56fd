/*
 * engine.c - the engine's public entry points (engine.h): designs, creation,
 * event dispatch, statistics.  The VM operations live in vm_*.c.
 */
#include <err.h>
#include <stdlib.h>

#include "vm.h"

static const char *const eng_lock_class_names[LC_COUNT] = {
	[LC_PAGE] = "page",
	[LC_OBJECT] = "object",
	[LC_PAGEQUEUE] = "pagequeue",
	[LC_FREEQUEUE] = "freequeue",
	[LC_PV] = "pv",
	[LC_PMAP] = "pmap",
	[LC_PVCHUNK] = "pvchunk",
};

const char *
eng_lock_class_name(unsigned lc)
{
	return (lc < LC_COUNT ? eng_lock_class_names[lc] : "?");
}

void
eng_panic(const char *file, int line, const char *what)
{
	errx(70, "%s:%d: assertion failed: %s", file, line, what);
}
