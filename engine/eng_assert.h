/*
 * eng_assert.h - the engine's one assertion and panic facility, used by the
 * machine-independent layer (engine/) and the machine-dependent one
 * (engine/amd64/) alike, as the kernel's KASSERT() and panic(9) are.
 *
 *  ENG_PANIC(fmt, ...)       always: print "file:line: func: message" and
 *                            exit 70 (EX_SOFTWARE).  For states the model
 *                            cannot continue from (out of memory, a mapping
 *                            without its pv entry).
 *  ENG_KASSERT(x, fmt, ...)  builds with the debugging checks (meson
 *                            -Ddebug_checks, PR_DEBUG_CHECKS): panic with the
 *                            message unless x.  Name the page, lock or
 *                            object in the message, as the kernel's
 *                            KASSERTs do ("page %p ...").
 *  ENG_ASSERT(x)             ENG_KASSERT with the expression as message.
 *
 * The lock-ownership families built on these (VM_OBJECT_ASSERT_*,
 * vm_page_assert_locked, vm_pagequeue_assert_locked,
 * vm_domain_free_assert_locked, PMAP_LOCK_ASSERT, ...) live beside the lock
 * they check and test "held by this CPU" (eng_lock_held()), not "held by
 * anyone".
 */
#ifndef ENG_ASSERT_H
#define ENG_ASSERT_H

_Noreturn void eng_panic(const char *file, int line, const char *func,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define ENG_PANIC(...)	eng_panic(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* 1 with the debugging checks (meson -Ddebug_checks), else 0. */
#define ENG_DEBUG	PR_DEBUG_CHECKS

#define ENG_KASSERT(x, ...)	do {					\
	if (ENG_DEBUG && !(x))						\
		ENG_PANIC(__VA_ARGS__);					\
} while (0)

#define ENG_ASSERT(x)	ENG_KASSERT(x, "assertion \"%s\" failed", #x)

#endif /* ENG_ASSERT_H */
