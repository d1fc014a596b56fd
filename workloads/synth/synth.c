/* Placeholder until its owner lands the real command. */
#include <err.h>

#include "commands.h"

int
cmd_synth(int argc, char **argv)
{
	(void)argc;
	warnx("%s: not implemented yet", argv[0]);
	return (1);
}
