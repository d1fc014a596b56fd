/* Placeholder: the trace library lands with issue 3. */
#include "trace.h"
