/*
 * eng_assert.c - eng_panic(): the end of every failed engine assertion.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "eng_assert.h"

void
eng_panic(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "pagereplay: engine panic: %s:%d: %s: ", file, line,
	    func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);	/* EX_SOFTWARE */
}
