#ifndef SHOAL_CSQLITE_SHIM_H
#define SHOAL_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro Swift cannot import. */
static void (*const SHOAL_SQLITE_TRANSIENT)(void *) = (void (*)(void *))-1;

#endif
