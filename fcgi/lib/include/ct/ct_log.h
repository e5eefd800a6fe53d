/* ct_log.h - JSON-lines logging to stderr with the request id; secrets never pass through it. */
#ifndef CT_LOG_H
#define CT_LOG_H
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */

/* Process-wide settings: the program name ("secure") and the lowest level written. */
void ct_log_setup(const char *program, int min_level);
/* The current request id (borrowed, NULL between requests); set by the dispatcher. */
void ct_log_set_request(const char *request_id);

/* One line: {"ts":"...","level":"err","prog":"secure","pid":123,"req":"...","msg":"..."}.
 * The message is formatted only when level passes the filter, JSON-escaped, capped at 2 KiB, and
 * any run of 13-19 digits in it is masked to first 6 / last 4 (a PAN that slipped into a format
 * string still never reaches the log). LOG_ERR is for what an operator must act on. */
void ct_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Mask digit runs of 13-19 characters in place (first 6, '*'..., last 4). Exposed for tests. */
void ct_log_redact(char *s);

#endif /* CT_LOG_H */
