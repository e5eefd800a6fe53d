/* ct_json.h - JSON text written straight into a ct_buf, for replies too long or too hot to build
 * as json-c objects first (a page of 50 operations is about a thousand objects and strings). For
 * the same values in the same order it writes the bytes json-c's plain printer writes
 * (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, as ct_reply_json uses it), so a reply
 * does not change when it moves from one to the other. */
#ifndef CT_JSON_H
#define CT_JSON_H
#include <stdbool.h>
#include <stdint.h>
#include "ct/ct_buf.h"
#include "ct/ct_err.h"

#define CT_JSON_STAGE 4096

/* Visible so it can live on the stack; members are read and written only through this API. Text
 * is staged in `stage` and appended to `out` a few KiB at a time: one ct_buf_append per key,
 * comma and quote costs more than the text itself. */
struct ct_json {
    struct ct_buf *out;
    bool sep;        /* a value ended at this level: the next member or element needs a ',' */
    enum ct_err err; /* the first append that failed; once set, nothing more is written */
    size_t staged;
    char stage[CT_JSON_STAGE];
};

/* Writes will append to `out` (not owned; its cap bounds the text). */
void ct_json_init(struct ct_json *w, struct ct_buf *out);
/* Appends what is staged to `out`; CT_OK, or CT_E_TOOBIG when the text passed the buffer's cap
 * (the buffer then holds a prefix). Call it before reading `out`; writing may go on after. */
enum ct_err ct_json_finish(struct ct_json *w);

/* Every value is written as an object member named `key`, or as an array element when key is
 * NULL. The caller keeps the structure valid (members inside objects, elements inside arrays);
 * keys and strings are escaped, bytes >= 0x80 pass as they are (UTF-8 is not checked). */
void ct_json_begin(struct ct_json *w, const char *key, char open);   /* open: '{' or '[' */
void ct_json_end(struct ct_json *w, char close);                     /* close: '}' or ']' */
void ct_json_str(struct ct_json *w, const char *key, const char *s); /* NULL: null */
void ct_json_int(struct ct_json *w, const char *key, int64_t v);
void ct_json_bool(struct ct_json *w, const char *key, bool v);
void ct_json_null(struct ct_json *w, const char *key);
/* A number from its exact text ("100.54", "5.5"), written as is: never through a double. The
 * caller guarantees it is a JSON number; NULL writes null. */
void ct_json_num(struct ct_json *w, const char *key, const char *text);

#endif /* CT_JSON_H */
