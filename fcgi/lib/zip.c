/* zip.c - ZIP archives of stored (uncompressed) entries, and CRC-32 (APPNOTE.TXT 6.3). */
#include <string.h>
#include <time.h>
#include "ct/ct_zip.h"

#define ZIP_LOCAL_SIG 0x04034b50u
#define ZIP_CENTRAL_SIG 0x02014b50u
#define ZIP_END_SIG 0x06054b50u
#define ZIP_VERSION 20u       /* 2.0: what an unzip needs for stored entries with UTF-8 names */
#define ZIP_FLAG_UTF8 0x0800u /* general purpose bit 11: names are UTF-8 */
#define ZIP_MAX_ENTRIES 0xffffu
#define ZIP_MAX_OFFSET 0xffffffffu
#define ZIP_DIR_CAP (16u * 1024 * 1024)

static void put16(unsigned char *p, uint32_t v);
static void put32(unsigned char *p, uint32_t v);
static void dos_time(int64_t t, uint32_t *dtime, uint32_t *ddate);
static int name_ok(const char *name, size_t n);

/* Four bits at a time: a 16-entry table is small enough to write down and verify. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
    0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t
ct_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;

    crc = ~crc;
    for (i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
        crc = (crc >> 4) ^ crc_nibble[crc & 0x0f];
    }
    return ~crc;
}

static void
put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
}

static void
put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

static void
dos_time(int64_t t, uint32_t *dtime, uint32_t *ddate)
{
    struct tm tm;
    time_t tt;

    if (t < 315532800) /* 1980-01-01, the first day MS-DOS dates can say */
        t = 315532800;
    if (t > 4354819199LL) /* 2107-12-31T23:59:59 */
        t = 4354819199LL;
    tt = (time_t)t;
    gmtime_r(&tt, &tm);
    *dtime = ((uint32_t)tm.tm_hour << 11) | ((uint32_t)tm.tm_min << 5) | ((uint32_t)tm.tm_sec / 2);
    *ddate = ((uint32_t)(tm.tm_year - 80) << 9) | ((uint32_t)(tm.tm_mon + 1) << 5) |
             (uint32_t)tm.tm_mday;
}

/* Relative names only: an archive must never make an unzip write outside its directory. */
static int
name_ok(const char *name, size_t n)
{
    size_t i;

    if (n == 0 || n > 255 || name[0] == '/' || strchr(name, '\\') != NULL)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    for (i = 0; i + 1 < n; i++)
        if (name[i] == '.' && name[i + 1] == '.' && (i == 0 || name[i - 1] == '/') &&
            (i + 2 == n || name[i + 2] == '/'))
            return 0;
    return 1;
}

void
ct_zip_init(struct ct_zip *z, struct ct_buf *out)
{
    memset(z, 0, sizeof(*z));
    z->out = out;
    ct_buf_init(&z->central, ZIP_DIR_CAP);
}

enum ct_err
ct_zip_add(struct ct_zip *z, const char *name, const void *data, size_t len, int64_t mtime)
{
    unsigned char lh[30], ch[46];
    size_t n = name != NULL ? strlen(name) : 0, offset = ct_buf_len(z->out);
    uint32_t crc, dt, dd;

    if (z->err != CT_OK)
        return z->err;
    if (!name_ok(name, n))
        return CT_E_RULE; /* a bad name is the caller's mistake; the archive stays usable */
    if (z->count >= ZIP_MAX_ENTRIES || len > ZIP_MAX_OFFSET ||
        offset + sizeof(lh) + n + len > ZIP_MAX_OFFSET)
        return z->err = CT_E_TOOBIG;
    crc = ct_crc32(0, data, len);
    dos_time(mtime, &dt, &dd);
    put32(lh, ZIP_LOCAL_SIG);
    put16(lh + 4, ZIP_VERSION);
    put16(lh + 6, ZIP_FLAG_UTF8);
    put16(lh + 8, 0); /* method 0: stored */
    put16(lh + 10, dt);
    put16(lh + 12, dd);
    put32(lh + 14, crc);
    put32(lh + 18, (uint32_t)len);
    put32(lh + 22, (uint32_t)len);
    put16(lh + 26, (uint32_t)n);
    put16(lh + 28, 0);
    put32(ch, ZIP_CENTRAL_SIG);
    put16(ch + 4, (3u << 8) | ZIP_VERSION); /* made by: Unix, 2.0 */
    memcpy(ch + 6, lh + 4, 26);             /* version needed .. name length, as above */
    put16(ch + 32, 0);                      /* comment length */
    put16(ch + 34, 0);                      /* disk number */
    put16(ch + 36, 0);                      /* internal attributes */
    put32(ch + 38, 0100644u << 16);         /* external: a regular file, rw-r--r-- */
    put32(ch + 42, (uint32_t)offset);
    if (ct_buf_append(z->out, lh, sizeof(lh)) != CT_OK || ct_buf_append(z->out, name, n) != CT_OK ||
        (len > 0 && ct_buf_append(z->out, data, len) != CT_OK) ||
        ct_buf_append(&z->central, ch, sizeof(ch)) != CT_OK ||
        ct_buf_append(&z->central, name, n) != CT_OK)
        return z->err = CT_E_TOOBIG;
    z->count++;
    return CT_OK;
}

enum ct_err
ct_zip_finish(struct ct_zip *z)
{
    unsigned char end[22];
    size_t offset = ct_buf_len(z->out), size = ct_buf_len(&z->central);

    if (z->err != CT_OK)
        goto out;
    if (offset + size + sizeof(end) > ZIP_MAX_OFFSET) {
        z->err = CT_E_TOOBIG;
        goto out;
    }
    put32(end, ZIP_END_SIG);
    put16(end + 4, 0);
    put16(end + 6, 0);
    put16(end + 8, z->count);
    put16(end + 10, z->count);
    put32(end + 12, (uint32_t)size);
    put32(end + 16, (uint32_t)offset);
    put16(end + 20, 0);
    if ((size > 0 && ct_buf_append(z->out, ct_buf_str(&z->central), size) != CT_OK) ||
        ct_buf_append(z->out, end, sizeof(end)) != CT_OK)
        z->err = CT_E_TOOBIG;
out:
    ct_buf_free(&z->central);
    return z->err;
}

void
ct_zip_free(struct ct_zip *z)
{
    if (z != NULL)
        ct_buf_free(&z->central);
}
