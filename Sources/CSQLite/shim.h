// The system SQLite, as one C module (Debian: libsqlite3-dev).
#include <sqlite3.h>
