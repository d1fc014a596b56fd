/* Placeholder: the engine lands with issue 4. */
#include "engine.h"
