/* ct_util.h - small helpers: random ids, hex, SHA-256, bounded number parsing, time text. */
#ifndef CT_UTIL_H
#define CT_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "ct/ct_err.h"

#define CT_UUID_LEN 36

/* Random (v4) UUID, lower case, from the OpenSSL CSPRNG. out holds CT_UUID_LEN + 1 bytes. */
enum ct_err ct_uuid_new(char out[CT_UUID_LEN + 1]);
/* Syntax check of a lower- or upper-case UUID (8-4-4-4-12 hex). */
bool ct_uuid_valid(const char *s);

/* Lower-case hex of n bytes; out holds 2n + 1 bytes. */
void ct_hex(const unsigned char *in, size_t n, char *out);
/* SHA-256 of n bytes into out[32]. */
void ct_sha256(const void *in, size_t n, unsigned char out[32]);

/* Decimal int64 from text: optional '-', digits only, no spaces, in [min, max]. */
bool ct_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* ISO 8601 UTC text "2026-11-22T10:00:00Z" (also accepts fractional seconds and +00:00 / Z or
 * a bare date "2026-11-22" = midnight UTC) to microseconds since the epoch. */
bool ct_time_parse(const char *s, int64_t *usec);
/* MariaDB DATETIME(6) text "2026-11-22 10:00:00.123456" (UTC) to "2026-11-22T10:00:00.123456Z"
 * (fraction dropped when zero). out holds 32 bytes. */
void ct_time_from_db(const char *db, char out[32]);
/* Microseconds since the epoch to DATETIME(6) text for a bound parameter. out holds 32 bytes. */
void ct_time_to_db(int64_t usec, char out[32]);
/* Microseconds since the epoch to "2026-11-22T10:00:00.123456Z". out holds 32 bytes. */
void ct_time_iso(int64_t usec, char out[32]);
/* Wall-clock now in microseconds since the epoch. */
int64_t ct_now_usec(void);

#endif /* CT_UTIL_H */
