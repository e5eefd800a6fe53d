/* iban.c - IBAN validation (registry structure, mod 97-10, national keys), generation, printing. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ct/ct_iban.h"
#include "iban_registry.h"

/* The national check a country's BBAN carries, as far as this module knows it. */
enum national {
    NAT_NONE,    /* no national check known: generated with the ISO check digits only */
    NAT_RIB,     /* FR, MC: RIB key over bank, guichet and account */
    NAT_PL,      /* PL: check digit of the sort code */
    NAT_BE,      /* BE: last two digits = first ten mod 97 (0 -> 97); validated only */
    NAT_NO,      /* NO: mod 11, weights 5,4,3,2,7,6,5,4,3,2; validated only */
    NAT_ES,      /* ES: two DC digits, mod 11; validated only */
    NAT_UNKNOWN, /* a national check or non-account field we do not implement: no generation */
};

/* What ct_iban_generate() may touch in a BBAN: [fixed_min, acct_end) is the account number. */
struct gen_plan {
    int fixed_min; /* leading BBAN characters always taken from the base */
    int acct_end;  /* end of the account number; after it comes the RIB key, if any */
    bool rib;      /* append the RIB key after the account number */
};

static enum national national_of(const char *cc);
static size_t bounded_len(const char *s, size_t max);
static bool is_upper(char c);
static bool is_digit(char c);
static bool class_ok(char cls, char c);
static char bban_class(const char *fmt, int pos);
static bool bban_matches(const char *bban, const char *fmt);
static int mod97_add(int r, char c);
static int check_digits(const char *iban, int len);
static int rib_digit(char c);
static int rib_key(const char *bban);
static bool pl_ok(const char *bban);
static bool be_ok(const char *bban);
static bool no_ok(const char *bban);
static int es_dc(const char *digits);
static bool es_ok(const char *bban);
static bool national_ok(const struct ct_iban_country *c, const char *bban);
static enum ct_err gen_plan(const struct ct_iban_country *c, struct gen_plan *plan);

/* Sorted by code. NAT_UNKNOWN lists every registry country whose BBAN holds a national check
 * digit or key (or a field that is not part of the account number: BR account type, MU/SC
 * currency, TR reserved digit) that this module does not compute. Bank-specific account
 * schemes (DE Pruefziffer methods, GB/IE sort-code modulus, ...) are not national IBAN checks
 * and are not covered; see ct_iban.h. */
static const struct {
    char code[3];
    enum national kind;
} nationals[] = {
    {"AL", NAT_UNKNOWN}, {"BA", NAT_UNKNOWN}, {"BE", NAT_BE},      {"BI", NAT_UNKNOWN},
    {"BR", NAT_UNKNOWN}, {"CZ", NAT_UNKNOWN}, {"DJ", NAT_UNKNOWN}, {"DK", NAT_UNKNOWN},
    {"EE", NAT_UNKNOWN}, {"ES", NAT_ES},      {"FI", NAT_UNKNOWN}, {"FO", NAT_UNKNOWN},
    {"FR", NAT_RIB},     {"GL", NAT_UNKNOWN}, {"HR", NAT_UNKNOWN}, {"HU", NAT_UNKNOWN},
    {"IS", NAT_UNKNOWN}, {"IT", NAT_UNKNOWN}, {"MC", NAT_RIB},     {"ME", NAT_UNKNOWN},
    {"MK", NAT_UNKNOWN}, {"MR", NAT_UNKNOWN}, {"MU", NAT_UNKNOWN}, {"NO", NAT_NO},
    {"PL", NAT_PL},      {"PT", NAT_UNKNOWN}, {"RS", NAT_UNKNOWN}, {"RU", NAT_UNKNOWN},
    {"SC", NAT_UNKNOWN}, {"SE", NAT_UNKNOWN}, {"SI", NAT_UNKNOWN}, {"SK", NAT_UNKNOWN},
    {"SM", NAT_UNKNOWN}, {"ST", NAT_UNKNOWN}, {"TL", NAT_UNKNOWN}, {"TN", NAT_UNKNOWN},
    {"TR", NAT_UNKNOWN}, {"XK", NAT_UNKNOWN},
};

static enum national
national_of(const char *cc)
{
    size_t i;

    for (i = 0; i < sizeof(nationals) / sizeof(nationals[0]); i++)
        if (memcmp(nationals[i].code, cc, 2) == 0)
            return nationals[i].kind;
    return NAT_NONE;
}

/* Length of s, but at most max + 1 (enough to see "too long"); strnlen() is POSIX, not C11. */
static size_t
bounded_len(const char *s, size_t max)
{
    size_t n = 0;

    while (n <= max && s[n] != '\0')
        n++;
    return n;
}

static bool
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Registry classes, strict electronic form: n digit, a A-Z, c A-Z or digit (no lower case). */
static bool
class_ok(char cls, char c)
{
    switch (cls) {
    case 'n':
        return is_digit(c);
    case 'a':
        return is_upper(c);
    case 'c':
        return is_digit(c) || is_upper(c);
    default:
        return false;
    }
}

/* Class letter of BBAN position pos in a registry structure ("5!n5!n11!c2!n"), 0 past the end. */
static char
bban_class(const char *fmt, int pos)
{
    while (*fmt != '\0') {
        int n = 0;

        while (is_digit(*fmt))
            n = n * 10 + (*fmt++ - '0');
        if (*fmt == '!')
            fmt++;
        if (*fmt == '\0')
            return 0;
        if (pos < n)
            return *fmt;
        pos -= n;
        fmt++;
    }
    return 0;
}

static bool
bban_matches(const char *bban, const char *fmt)
{
    int pos;

    for (pos = 0; bban[pos] != '\0'; pos++)
        if (!class_ok(bban_class(fmt, pos), bban[pos]))
            return false;
    return bban_class(fmt, pos) == 0;
}

/* One step of MOD 97-10 over the letters-as-numbers expansion; -1 for a bad character. */
static int
mod97_add(int r, char c)
{
    if (is_digit(c))
        return (r * 10 + (c - '0')) % 97;
    if (is_upper(c))
        return (r * 100 + (c - 'A' + 10)) % 97;
    return -1;
}

int
ct_iban_mod97(const char *iban)
{
    size_t i, len;
    int r = 0;

    if (iban == NULL)
        return -1;
    len = strlen(iban);
    if (len < 4)
        return -1;
    /* Rearranged: BBAN first, then country code and check digits. */
    for (i = 4; i < len && r >= 0; i++)
        r = mod97_add(r, iban[i]);
    for (i = 0; i < 4 && r >= 0; i++)
        r = mod97_add(r, iban[i]);
    return r;
}

/* ISO check digits (2..98) for iban[0..len) whatever its current check digits; -1 if bad char. */
static int
check_digits(const char *iban, int len)
{
    int i, r = 0;

    for (i = 4; i < len && r >= 0; i++)
        r = mod97_add(r, iban[i]);
    if (r >= 0)
        r = mod97_add(r, iban[0]);
    if (r >= 0)
        r = mod97_add(r, iban[1]);
    if (r >= 0)
        r = (r * 100) % 97;
    return r < 0 ? -1 : 98 - r;
}

/* RIB letter values: A-I 1-9, J-R 1-9, S-Z 2-9 (S starts at 2). */
static int
rib_digit(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'I')
        return c - 'A' + 1;
    if (c >= 'J' && c <= 'R')
        return c - 'J' + 1;
    return c - 'S' + 2;
}

/* RIB key over bank(5) guichet(5) account(11): B||G||C||K = 0 mod 97, so K = 97 - (BGC00 mod 97),
 * the same value as 97 - ((89 B + 15 G + 3 C) mod 97). Result 1..97. */
static int
rib_key(const char *bban)
{
    int i, r = 0;

    for (i = 0; i < 21; i++)
        r = (r * 10 + rib_digit(bban[i])) % 97;
    return 97 - (r * 100) % 97;
}

/* Sort code: 3-digit bank, 4-digit branch, check digit with weights 3,9,7,1,3,9,7 mod 10. */
static bool
pl_ok(const char *bban)
{
    static const int w[7] = {3, 9, 7, 1, 3, 9, 7};
    int i, sum = 0;

    for (i = 0; i < 7; i++)
        sum += (bban[i] - '0') * w[i];
    return (10 - sum % 10) % 10 == bban[7] - '0';
}

static bool
be_ok(const char *bban)
{
    uint64_t v = 0;
    int i, key;

    for (i = 0; i < 10; i++)
        v = v * 10 + (uint64_t)(bban[i] - '0');
    key = (int)(v % 97);
    if (key == 0)
        key = 97;
    return key == (bban[10] - '0') * 10 + (bban[11] - '0');
}

static bool
no_ok(const char *bban)
{
    static const int w[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int i, sum = 0, check;

    for (i = 0; i < 10; i++)
        sum += (bban[i] - '0') * w[i];
    check = sum % 11 == 0 ? 0 : 11 - sum % 11;
    return check < 10 && check == bban[10] - '0';
}

/* One Spanish DC digit over ten digits. */
static int
es_dc(const char *digits)
{
    static const int w[10] = {1, 2, 4, 8, 5, 10, 9, 7, 3, 6};
    int i, sum = 0, dc;

    for (i = 0; i < 10; i++)
        sum += (digits[i] - '0') * w[i];
    dc = 11 - sum % 11;
    return dc == 11 ? 0 : dc == 10 ? 1 : dc;
}

/* Bank(4) branch(4) DC(2) account(10): first DC over "00" + bank + branch, second over account. */
static bool
es_ok(const char *bban)
{
    char head[10] = {'0', '0'};

    memcpy(head + 2, bban, 8);
    return es_dc(head) == bban[8] - '0' && es_dc(bban + 10) == bban[9] - '0';
}

/* The BBAN already matches the registry structure, so digit positions hold digits. */
static bool
national_ok(const struct ct_iban_country *c, const char *bban)
{
    switch (national_of(c->code)) {
    case NAT_RIB:
        return rib_key(bban) == (bban[21] - '0') * 10 + (bban[22] - '0');
    case NAT_PL:
        return pl_ok(bban);
    case NAT_BE:
        return be_ok(bban);
    case NAT_NO:
        return no_ok(bban);
    case NAT_ES:
        return es_ok(bban);
    default:
        return true;
    }
}

const struct ct_iban_country *
ct_iban_country_find(const char *cc)
{
    size_t lo = 0, hi = ct__iban_registry_count;

    if (cc == NULL || !is_upper(cc[0]) || !is_upper(cc[1]))
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = memcmp(cc, ct__iban_registry[mid].code, 2);

        if (cmp == 0)
            return &ct__iban_registry[mid];
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool
ct_iban_valid(const char *iban)
{
    const struct ct_iban_country *c;
    size_t len;
    int cd;

    if (iban == NULL)
        return false;
    len = bounded_len(iban, CT_IBAN_MAX);
    c = ct_iban_country_find(iban);
    if (c == NULL || len != (size_t)c->length)
        return false;
    if (!is_digit(iban[2]) || !is_digit(iban[3]))
        return false;
    /* 00, 01 and 99 are never issued: 01 = 98 and 99 = 02 (mod 97) would pass mod 97 alone. */
    cd = (iban[2] - '0') * 10 + (iban[3] - '0');
    if (cd < 2 || cd > 98)
        return false;
    if (!bban_matches(iban + 4, c->bban))
        return false;
    if (ct_iban_mod97(iban) != 1)
        return false;
    return national_ok(c, iban + 4);
}

enum ct_err
ct_iban_normalize(const char *in, char out[CT_IBAN_MAX + 1])
{
    char buf[CT_IBAN_MAX + 1];
    size_t n = 0;

    if (in == NULL || out == NULL)
        return CT_E_RULE;
    for (; *in != '\0'; in++) {
        char c = *in;

        if (c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!is_upper(c) && !is_digit(c))
            return CT_E_RULE;
        if (n == CT_IBAN_MAX)
            return CT_E_RULE;
        buf[n++] = c;
    }
    if (n == 0)
        return CT_E_RULE;
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
    return CT_OK;
}

void
ct_iban_print(const char *iban, char out[CT_IBAN_PRINT_MAX + 1])
{
    size_t i, n = 0;

    if (out == NULL)
        return;
    for (i = 0; iban != NULL && i < CT_IBAN_MAX && iban[i] != '\0'; i++) {
        if (i > 0 && i % 4 == 0)
            out[n++] = ' ';
        out[n++] = iban[i];
    }
    out[n] = '\0';
}

static enum ct_err
gen_plan(const struct ct_iban_country *c, struct gen_plan *plan)
{
    int bank_end = c->bank_offset + c->bank_length;
    int branch_end = c->branch_offset + c->branch_length;

    switch (national_of(c->code)) {
    case NAT_RIB:
        /* Bank and guichet stay fixed even though the registry lists no FR branch. */
        *plan = (struct gen_plan){.fixed_min = 10, .acct_end = 21, .rib = true};
        return CT_OK;
    case NAT_PL:
        /* The whole 8-digit sort code, including its check digit, comes from the base. */
        *plan = (struct gen_plan){.fixed_min = 8, .acct_end = 24, .rib = false};
        return CT_OK;
    case NAT_NONE:
        *plan = (struct gen_plan){.fixed_min = branch_end > bank_end ? branch_end : bank_end,
                                  .acct_end = c->length - 4,
                                  .rib = false};
        return CT_OK;
    default:
        return CT_E_RULE;
    }
}

enum ct_err
ct_iban_generate(const char *base_iban, int prefix_len, uint64_t seq, char out[CT_IBAN_MAX + 1])
{
    const struct ct_iban_country *c;
    struct gen_plan plan;
    char buf[CT_IBAN_MAX + 1];
    char *bban = buf + 4;
    int pos, cd, key;

    if (out == NULL || !ct_iban_valid(base_iban))
        return CT_E_RULE;
    c = ct_iban_country_find(base_iban);
    if (gen_plan(c, &plan) != CT_OK)
        return CT_E_RULE;
    if (prefix_len == 0)
        prefix_len = plan.fixed_min;
    if (prefix_len < plan.fixed_min || prefix_len >= plan.acct_end)
        return CT_E_RULE;
    memcpy(buf, base_iban, (size_t)c->length + 1);
    for (pos = plan.acct_end - 1; pos >= prefix_len; pos--) {
        char cls = bban_class(c->bban, pos);

        if (cls != 'n' && cls != 'c')
            return CT_E_RULE;
        bban[pos] = (char)('0' + seq % 10);
        seq /= 10;
    }
    if (seq != 0)
        return CT_E_RULE;
    if (plan.rib) {
        key = rib_key(bban);
        bban[21] = (char)('0' + key / 10);
        bban[22] = (char)('0' + key % 10);
    }
    cd = check_digits(buf, c->length);
    buf[2] = (char)('0' + cd / 10);
    buf[3] = (char)('0' + cd % 10);
    /* Cannot fail for a valid base; kept so a table or plan mistake never leaves the module. */
    if (!ct_iban_valid(buf))
        return CT_E_INTERNAL;
    memcpy(out, buf, (size_t)c->length + 1);
    return CT_OK;
}

enum ct_err
ct_iban_rib_parts(const char *iban, struct ct_iban_rib *out)
{
    struct ct_iban_rib r;

    /* the validity check also proves the key, so the parts are a real RIB */
    if (!ct_iban_valid(iban) || national_of(iban) != NAT_RIB)
        return CT_E_RULE;
    memcpy(r.bank, iban + 4, 5);
    r.bank[5] = '\0';
    memcpy(r.branch, iban + 9, 5);
    r.branch[5] = '\0';
    memcpy(r.number, iban + 14, 11);
    r.number[11] = '\0';
    memcpy(r.key, iban + 25, 2);
    r.key[2] = '\0';
    *out = r;
    return CT_OK;
}
