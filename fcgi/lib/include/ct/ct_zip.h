/* ct_zip.h - a minimal ZIP archive writer ("stored" entries, no compression) and CRC-32. */
#ifndef CT_ZIP_H
#define CT_ZIP_H
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_buf.h"
#include "ct/ct_err.h"

/* CRC-32 (ISO-HDLC, the one ZIP, PNG and gzip use: reflected polynomial 0xEDB88320). Start with
 * crc = 0 and feed the previous result back to continue over several pieces. */
uint32_t ct_crc32(uint32_t crc, const void *data, size_t len);

/* Visible so it can live on the stack; members are used only through this API. The archive is
 * written into `out` (the caller's buffer, whose cap bounds the archive); the central directory
 * is collected aside and appended by ct_zip_finish(). No ZIP64: at most 65535 entries and 4 GiB,
 * beyond which ct_zip_add() answers CT_E_TOOBIG. */
struct ct_zip {
    struct ct_buf *out;
    struct ct_buf central;
    uint32_t count;
    enum ct_err err; /* first failure; every later call returns it */
};

void ct_zip_init(struct ct_zip *z, struct ct_buf *out);
/* Add one file. name: 1..255 bytes, UTF-8, relative, no "..", no leading '/', no '\\' (CT_E_RULE
 * otherwise). mtime: Unix seconds (UTC), stored in MS-DOS form (two-second resolution, clamped to
 * 1980..2107). CT_E_TOOBIG when out's cap or the ZIP limits are reached. */
enum ct_err ct_zip_add(struct ct_zip *z, const char *name, const void *data, size_t len,
                       int64_t mtime);
/* Append the central directory and the end record; the archive in out is then complete. Frees
 * the collected directory (ct_zip_free() after it is harmless). */
enum ct_err ct_zip_finish(struct ct_zip *z);
void ct_zip_free(struct ct_zip *z); /* NULL-safe; does not touch out */

#endif /* CT_ZIP_H */
