#ifndef SHOAL_CSQLITE_SHIM_H
#define SHOAL_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import. */
static void (*const SHOAL_SQLITE_TRANSIENT)(void *) = (void (*)(void *))-1;

/* sqlite3_config is variadic, which Swift cannot call. Switches off the
   memory statistics (a process-wide mutex taken on every allocation); only
   takes effect before sqlite3 initializes, and returns SQLITE_MISUSE after. */
static inline int shoal_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
