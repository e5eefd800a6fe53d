/* log.c - one JSON object per line on stderr; digit runs that could be a PAN are masked. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ct/ct_log.h"
#include "ct/ct_util.h"

#define LOG_MSG_MAX 2048

static const char *level_name(int level);
static size_t json_escape(const char *in, char *out, size_t outsz);

static char log_program[32] = "comptoir";
static int log_min = LOG_INFO;
static const char *log_request;

void
ct_log_setup(const char *program, int min_level)
{
    (void)snprintf(log_program, sizeof(log_program), "%s", program);
    log_min = min_level;
}

void
ct_log_set_request(const char *request_id)
{
    log_request = request_id;
}

static const char *
level_name(int level)
{
    switch (level) {
    case LOG_EMERG:
    case LOG_ALERT:
    case LOG_CRIT:
    case LOG_ERR:
        return "err";
    case LOG_WARNING:
        return "warning";
    case LOG_NOTICE:
        return "notice";
    case LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

void
ct_log_redact(char *s)
{
    size_t i = 0;

    while (s[i] != '\0') {
        size_t start = i, run, k;

        if (!isdigit((unsigned char)s[i])) {
            i++;
            continue;
        }
        while (isdigit((unsigned char)s[i]))
            i++;
        run = i - start;
        if (run < 13 || run > 19)
            continue;
        for (k = start + 6; k < i - 4; k++)
            s[k] = '*';
    }
}

/* Escapes for a JSON string; truncates on a character boundary of the escape. */
static size_t
json_escape(const char *in, char *out, size_t outsz)
{
    size_t o = 0;

    for (; *in != '\0'; in++) {
        unsigned char c = (unsigned char)*in;
        char esc[8];
        size_t n;

        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            n = 2;
        } else if (c < 0x20) {
            n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
        } else {
            esc[0] = (char)c;
            n = 1;
        }
        if (o + n + 1 > outsz)
            break;
        memcpy(out + o, esc, n);
        o += n;
    }
    out[o] = '\0';
    return o;
}

void
ct_log(int level, const char *fmt, ...)
{
    char msg[LOG_MSG_MAX], esc[LOG_MSG_MAX * 2], req[128], ts[32];
    va_list ap;

    if (level > log_min)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ct_log_redact(msg);
    json_escape(msg, esc, sizeof(esc));
    req[0] = '\0';
    if (log_request != NULL)
        json_escape(log_request, req, sizeof(req));
    ct_time_iso(ct_now_usec(), ts);
    (void)fprintf(stderr,
                  "{\"ts\":\"%s\",\"level\":\"%s\",\"prog\":\"%s\",\"pid\":%ld,"
                  "\"req\":\"%s\",\"msg\":\"%s\"}\n",
                  ts, level_name(level), log_program, (long)getpid(), req, esc);
}
