/* ct_db.h - one MariaDB connection per worker: prepared statements, row sets, retried transactions.
 */
#ifndef CT_DB_H
#define CT_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_err.h"
#include "ct/ct_conf.h"

struct ct_db;   /* opaque: the connection and its prepared-statement cache */
struct ct_rows; /* opaque: a fully fetched result, every column as text */

/* Connect over the unix socket of conf (db_socket, db_name, db_user, db_password_file).
 * Autocommit is off; isolation READ COMMITTED; utf8mb4; time_zone '+00:00'. */
enum ct_err ct_db_open(const struct ct_conf *conf, struct ct_db **out);
void ct_db_close(struct ct_db *db); /* NULL-safe */

/* Statements are prepared once per connection and cached by the address of `sql`, so pass a
 * `static const char sql[]`, never a built string. Parameters follow `fmt`, one letter per '?':
 *   's'  const char *            (NULL binds SQL NULL)
 *   'S'  const char *, size_t    (explicit length; for binary data)
 *   'l'  int64_t
 *   'i'  int
 * Server errors map in one place: 1062 -> CT_E_CONFLICT, 1213/1205 -> CT_E_BUSY, a lost
 * connection (2006/2013) -> CT_E_BUSY after a reconnect (the transaction helper re-runs the unit),
 * anything else is logged and CT_E_INTERNAL. */

/* Run a statement that returns no rows. *affected (may be NULL) gets the affected row count. */
enum ct_err ct_db_exec(struct ct_db *db, const char *sql, uint64_t *affected, const char *fmt, ...);
/* Inside a unit of work only: the unit's last statement (no rows, no affected count), sent in one
 * round trip with its COMMIT. Its error, if any, is what ct_db_txn returns (1062 ->
 * CT_E_CONFLICT), after the unit was rolled back. At most one per unit. */
enum ct_err ct_db_exec_last(struct ct_db *db, const char *sql, const char *fmt, ...);
/* Inside a unit of work only: statements sent together in one round trip (text protocol, each
 * parameter rendered as a literal as for ct_db_exec_last). ct_db_batch_add adds one;
 * ct_db_batch_query sends them all (behind START TRANSACTION when the unit has sent nothing yet)
 * and hands back the rows of the last one (empty when it returns none). The server runs none
 * after a failing one; that statement's error is returned, mapped as for any statement. For a
 * hot path whose statements do not need each other's answers in C (session variables carry them
 * from one to the next). */
enum ct_err ct_db_batch_add(struct ct_db *db, const char *sql, const char *fmt, ...);
enum ct_err ct_db_batch_query(struct ct_db *db, struct ct_rows **out);
/* LAST_INSERT_ID of the connection's last INSERT. */
int64_t ct_db_last_id(const struct ct_db *db);

/* Run a query and fetch all its rows (every column converted to text by the server).
 * On CT_OK *out is owned by the caller (ct_rows_free). */
enum ct_err ct_db_query(struct ct_db *db, const char *sql, struct ct_rows **out, const char *fmt,
                        ...);
/* The same for a lookup of one row (by a key): CT_E_NOTFOUND, and *out NULL, unless the query
 * answers exactly one row. */
enum ct_err ct_db_query_one(struct ct_db *db, const char *sql, struct ct_rows **out,
                            const char *fmt, ...);
size_t ct_rows_count(const struct ct_rows *r);
size_t ct_rows_cols(const struct ct_rows *r);
/* Borrowed text of a cell, NULL for SQL NULL or out-of-range row/col; valid until ct_rows_free. */
const char *ct_rows_str(const struct ct_rows *r, size_t row, size_t col);
/* Cell as int64; false for NULL, out-of-range or non-numeric text. */
bool ct_rows_i64(const struct ct_rows *r, size_t row, size_t col, int64_t *out);
void ct_rows_free(struct ct_rows *r); /* NULL-safe */

/* Unit of work: BEGIN, fn(db, ctx), COMMIT; ROLLBACK when fn fails. BEGIN travels with the
 * unit's first statement and COMMIT with its ct_db_exec_last statement, if any. When fn (or the
 * COMMIT) fails with CT_E_BUSY the whole unit is re-run, up to conf->db_retries times with a short
 * random back-off, so fn must have no effects outside the database (or make them idempotent).
 * Returns fn's error, CT_E_BUSY when retries ran out. A connection lost during COMMIT is
 * CT_E_INTERNAL: the outcome is unknown and only an idempotency key makes the client's retry safe.
 */
typedef enum ct_err (*ct_txn_fn)(struct ct_db *db, void *ctx);
enum ct_err ct_db_txn(struct ct_db *db, ct_txn_fn fn, void *ctx);

/* The MariaDB error number of the last failed statement (0 if none); for tests and logs. */
unsigned ct_db_errno(const struct ct_db *db);

#endif /* CT_DB_H */
