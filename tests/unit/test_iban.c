/* test_iban.c - registry table, strict validation, national keys, generation, print form. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

/* Included for its statics (the h2o pattern); link with fcgi/lib/iban_registry.c. */
#include "../../fcgi/lib/iban.c"
#include "iban_examples.h"

#define NGEN 10000

/* Copy of s in a fresh buffer, for mutation. */
static void
copy(char dst[CT_IBAN_MAX + 8], const char *s)
{
    size_t n = strlen(s);

    assert_true(n < CT_IBAN_MAX + 8);
    memcpy(dst, s, n + 1);
}

/* Rewrite the ISO check digits of iban so that mod 97 passes. */
static void
fix_check_digits(char *iban)
{
    int cd = check_digits(iban, (int)strlen(iban));

    assert_true(cd >= 2 && cd <= 98);
    iban[2] = (char)('0' + cd / 10);
    iban[3] = (char)('0' + cd % 10);
    assert_int_equal(ct_iban_mod97(iban), 1);
}

static void
expect_invalid(const char *iban, const char *what)
{
    if (ct_iban_valid(iban))
        fail_msg("%s accepted (%s)", iban, what);
}

static void
test_registry_table(void **state)
{
    size_t i;

    (void)state;
    assert_int_equal(ct__iban_registry_count, IBAN_EXAMPLES_COUNT);
    assert_int_equal(ct__iban_registry_count, 89);
    for (i = 0; i < ct__iban_registry_count; i++) {
        const struct ct_iban_country *c = &ct__iban_registry[i];
        int blen = c->length - 4;

        if (i > 0)
            assert_true(strcmp(ct__iban_registry[i - 1].code, c->code) < 0);
        assert_ptr_equal(ct_iban_country_find(c->code), c);
        assert_memory_equal(iban_examples[i], c->code, 2);
        assert_true(c->length >= 15 && c->length <= CT_IBAN_MAX);
        /* the structure covers exactly the BBAN */
        assert_int_not_equal(bban_class(c->bban, blen - 1), 0);
        assert_int_equal(bban_class(c->bban, blen), 0);
        assert_true(c->bank_offset >= 0 && c->bank_length > 0);
        assert_true(c->bank_offset + c->bank_length <= blen);
        if (c->branch_offset < 0)
            assert_int_equal(c->branch_length, 0);
        else
            assert_true(c->branch_length > 0 && c->branch_offset + c->branch_length <= blen);
    }
    /* the national list names registry countries, in order */
    for (i = 0; i < sizeof(nationals) / sizeof(nationals[0]); i++) {
        assert_non_null(ct_iban_country_find(nationals[i].code));
        if (i > 0)
            assert_true(strcmp(nationals[i - 1].code, nationals[i].code) < 0);
    }
}

static void
test_country_find(void **state)
{
    const struct ct_iban_country *c;

    (void)state;
    c = ct_iban_country_find("FR");
    assert_non_null(c);
    assert_int_equal(c->length, 27);
    assert_string_equal(c->bban, "5!n5!n11!c2!n");
    assert_int_equal(c->bank_offset, 0);
    assert_int_equal(c->bank_length, 5);
    c = ct_iban_country_find("PL61109010140000071219812874");
    assert_non_null(c);
    assert_string_equal(c->code, "PL");
    assert_int_equal(c->length, 28);
    assert_int_equal(c->bank_length, 8);
    c = ct_iban_country_find("GB");
    assert_non_null(c);
    assert_int_equal(c->branch_offset, 4);
    assert_int_equal(c->branch_length, 6);
    assert_string_equal(ct_iban_country_find("NO")->code, "NO");
    assert_int_equal(ct_iban_country_find("NO")->length, 15);
    assert_int_equal(ct_iban_country_find("LC")->length, 32);
    assert_null(ct_iban_country_find(NULL));
    assert_null(ct_iban_country_find(""));
    assert_null(ct_iban_country_find("F"));
    assert_null(ct_iban_country_find("fr"));
    assert_null(ct_iban_country_find("JE")); /* territory: uses GB */
    assert_null(ct_iban_country_find("GF")); /* territory: uses FR */
    assert_null(ct_iban_country_find("XX"));
    assert_null(ct_iban_country_find("AA"));
    assert_null(ct_iban_country_find("ZZ"));
}

static void
test_examples_valid(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        if (!ct_iban_valid(iban_examples[i]))
            fail_msg("registry example %s refused", iban_examples[i]);
        assert_int_equal(ct_iban_mod97(iban_examples[i]), 1);
    }
    assert_true(ct_iban_valid("DE89370400440532013000"));
}

static void
test_examples_one_digit_changed(void **state)
{
    char buf[CT_IBAN_MAX + 8];
    size_t i, pos;
    char d;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        copy(buf, iban_examples[i]);
        for (pos = 2; buf[pos] != '\0'; pos++) {
            char orig = buf[pos];

            if (!is_digit(orig))
                continue;
            for (d = '0'; d <= '9'; d++) {
                if (d == orig)
                    continue;
                buf[pos] = d;
                expect_invalid(buf, "one digit changed");
            }
            buf[pos] = orig;
        }
    }
}

/* Digits that mod 97-10 sees for the two characters a b (letters become 10..35). */
static void
expand2(char a, char b, char out[5])
{
    size_t n = 0;
    char pair[2] = {a, b};
    int k;

    for (k = 0; k < 2; k++) {
        if (is_upper(pair[k])) {
            out[n++] = (char)('0' + (pair[k] - 'A' + 10) / 10);
            out[n++] = (char)('0' + (pair[k] - 'A' + 10) % 10);
        } else {
            out[n++] = pair[k];
        }
    }
    out[n] = '\0';
}

/* Swapping B and 1, M and 2 or X and 3 leaves the digit string ("B1" and "1B" are both 111)
 * and so mod 97 unchanged: an ISO 7064 blind spot that only the BBAN structure can catch. Such
 * swaps are counted, every other swap must be refused. */
static void
test_examples_adjacent_swap(void **state)
{
    char buf[CT_IBAN_MAX + 8];
    char e1[5], e2[5];
    size_t i, pos;
    int blind = 0;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        copy(buf, iban_examples[i]);
        for (pos = 0; buf[pos + 1] != '\0'; pos++) {
            char a = buf[pos], b = buf[pos + 1];

            if (a == b)
                continue;
            buf[pos] = b;
            buf[pos + 1] = a;
            expand2(a, b, e1);
            expand2(b, a, e2);
            if (pos >= 4 && strcmp(e1, e2) == 0)
                blind += ct_iban_valid(buf);
            else
                expect_invalid(buf, "adjacent characters swapped");
            buf[pos] = a;
            buf[pos + 1] = b;
        }
    }
    /* RO49AAAA1B31007593840000 -> RO49AAAAB131007593840000, where 4!a16!c allows both */
    assert_int_equal(blind, 1);
    assert_true(ct_iban_valid("RO49AAAAB131007593840000"));
}

static void
test_examples_wrong_length(void **state)
{
    char buf[CT_IBAN_MAX + 8];
    size_t i, n;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        copy(buf, iban_examples[i]);
        n = strlen(buf);
        buf[n - 1] = '\0';
        expect_invalid(buf, "one character short");
        /* one short, with check digits that satisfy mod 97 again */
        fix_check_digits(buf);
        expect_invalid(buf, "one character short, mod 97 fixed");
        copy(buf, iban_examples[i]);
        buf[n] = '0';
        buf[n + 1] = '\0';
        expect_invalid(buf, "one character long");
        fix_check_digits(buf);
        expect_invalid(buf, "one character long, mod 97 fixed");
    }
    expect_invalid("", "empty");
    expect_invalid("FR", "country only");
    expect_invalid("FR14", "no BBAN");
    expect_invalid("FR1420041010050500013M026060000000000", "over 34");
    expect_invalid(NULL, "NULL");
}

static void
test_examples_lower_case(void **state)
{
    char buf[CT_IBAN_MAX + 8];
    size_t i, pos;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        char norm[CT_IBAN_MAX + 1];

        copy(buf, iban_examples[i]);
        for (pos = 0; buf[pos] != '\0'; pos++) {
            if (!is_upper(buf[pos]))
                continue;
            buf[pos] = (char)(buf[pos] - 'A' + 'a');
            expect_invalid(buf, "one letter in lower case");
            assert_int_equal(ct_iban_mod97(buf), -1);
            buf[pos] = (char)(buf[pos] - 'a' + 'A');
        }
        for (pos = 0; buf[pos] != '\0'; pos++)
            if (is_upper(buf[pos]))
                buf[pos] = (char)(buf[pos] - 'A' + 'a');
        expect_invalid(buf, "lower case");
        /* but normalising user input gives the electronic form back */
        assert_int_equal(ct_iban_normalize(buf, norm), CT_OK);
        assert_string_equal(norm, iban_examples[i]);
    }
}

static void
test_examples_forced_check_digits(void **state)
{
    static const char *const forced[] = {"00", "01", "99"};
    char buf[CT_IBAN_MAX + 8];
    size_t i, k;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        copy(buf, iban_examples[i]);
        for (k = 0; k < 3; k++) {
            memcpy(buf + 2, forced[k], 2);
            expect_invalid(buf, "check digits 00/01/99");
        }
    }
}

/* 99 = 02, 01 = 98 and 00 = 97 (mod 97): an IBAN whose true check digits are 02, 98 or 97 still
 * passes mod 97 with 99, 01 or 00 and must be refused anyway. Find such IBANs by generation. */
static void
test_check_digit_aliases(void **state)
{
    static const struct {
        const char *real, *alias;
    } alias[] = {{"02", "99"}, {"98", "01"}, {"97", "00"}};
    char out[CT_IBAN_MAX + 1];
    uint64_t seq;
    size_t k;

    (void)state;
    for (k = 0; k < 3; k++) {
        for (seq = 0; seq < 100000; seq++) {
            assert_int_equal(ct_iban_generate("DE89370400440532013000", 0, seq, out), CT_OK);
            if (memcmp(out + 2, alias[k].real, 2) == 0)
                break;
        }
        assert_true(seq < 100000);
        assert_true(ct_iban_valid(out));
        memcpy(out + 2, alias[k].alias, 2);
        assert_int_equal(ct_iban_mod97(out), 1);
        expect_invalid(out, "check digit alias");
    }
}

static void
test_unknown_country(void **state)
{
    static const char *const cc[] = {"XX", "JE", "GF", "AA", "ZZ", "QQ", "US", "00"};
    char buf[CT_IBAN_MAX + 8];
    size_t i, k;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        copy(buf, iban_examples[i]);
        for (k = 0; k < sizeof(cc) / sizeof(cc[0]); k++) {
            memcpy(buf, cc[k], 2);
            expect_invalid(buf, "unknown country");
            if (is_upper(cc[k][0])) {
                fix_check_digits(buf);
                expect_invalid(buf, "unknown country, mod 97 fixed");
            }
        }
    }
}

static void
test_structure(void **state)
{
    char buf[CT_IBAN_MAX + 8];

    (void)state;
    /* a letter where the registry wants digits, check digits fixed so only the structure fails */
    copy(buf, "DE89370400440532013000");
    buf[10] = 'A';
    fix_check_digits(buf);
    expect_invalid(buf, "letter in 8!n");
    /* a digit where the registry wants letters (GB bank code 4!a) */
    copy(buf, "GB29NWBK60161331926819");
    buf[4] = '1';
    fix_check_digits(buf);
    expect_invalid(buf, "digit in 4!a");
    /* separators are not part of the electronic form */
    expect_invalid("DE89 3704 0044 0532 0130 00", "print form");
    expect_invalid("DE89-370400440532013000", "dash");
    expect_invalid("DE8937040044053201300\xc3", "non-ASCII");
}

/* An IBAN with a wrong national key but correct ISO check digits is still refused. */
static void
test_national_checks(void **state)
{
    static const struct {
        const char *iban;
        int pos; /* a national check digit position in the IBAN */
    } cases[] = {
        {"FR1420041010050500013M02606", 26},  /* RIB key */
        {"MC5811222000010123456789030", 26},  /* RIB key */
        {"PL61109010140000071219812874", 11}, /* sort-code check digit */
        {"BE68539007547034", 15},             /* mod 97 of the first ten digits */
        {"NO9386011117947", 14},              /* mod 11 */
        {"ES9121000418450200051332", 12},     /* first DC digit */
        {"ES9121000418450200051332", 13},     /* second DC digit */
    };
    char buf[CT_IBAN_MAX + 8];
    size_t i;
    char d;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(ct_iban_valid(cases[i].iban));
        for (d = '0'; d <= '9'; d++) {
            copy(buf, cases[i].iban);
            if (buf[cases[i].pos] == d)
                continue;
            buf[cases[i].pos] = d;
            fix_check_digits(buf);
            expect_invalid(buf, "national check");
        }
    }
    /* the RIB letter table (S is 2, not 1) and the doc's worked example */
    assert_int_equal(rib_digit('A'), 1);
    assert_int_equal(rib_digit('J'), 1);
    assert_int_equal(rib_digit('R'), 9);
    assert_int_equal(rib_digit('S'), 2);
    assert_int_equal(rib_digit('Z'), 9);
    assert_int_equal(rib_key("200410100505000134026"), 6);
    assert_int_equal(rib_key("2004101005050001"
                             "3M026"),
                     6);
    /* PL sort code 1090101 + check digit 4 */
    assert_true(pl_ok("10901014"));
    assert_false(pl_ok("10901015"));
}

static int
cmp_iban(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* NGEN accounts (seq = i * stride + 3) from one base: valid, same country and fixed prefix, all
 * distinct. */
static void
generate_many(const char *base, int prefix_len, int fixed, uint64_t stride)
{
    static char all[NGEN][CT_IBAN_MAX + 1]; /* static: a failed assert does not leak it */
    size_t i;

    memset(all, 0, sizeof(all));
    for (i = 0; i < NGEN; i++) {
        char *out = all[i];

        if (ct_iban_generate(base, prefix_len, i * stride + 3, out) != CT_OK)
            fail_msg("%s: seq %llu refused", base, (unsigned long long)(i * stride + 3));
        if (!ct_iban_valid(out))
            fail_msg("generated %s from %s is invalid", out, base);
        assert_int_equal(strlen(out), strlen(base));
        assert_memory_equal(out, base, 2);
        assert_memory_equal(out + 4, base + 4, (size_t)fixed);
    }
    qsort(all, NGEN, sizeof(all[0]), cmp_iban);
    for (i = 1; i < NGEN; i++)
        if (strcmp(all[i - 1], all[i]) == 0)
            fail_msg("%s generated twice", all[i]);
}

static void
test_generate_unique_valid(void **state)
{
    (void)state;
    generate_many("PL61109010140000071219812874", 0, 8, 7919);
    generate_many("PL61109010140000071219812874", 0, 8, 1000000000007ULL);
    generate_many("PL61109010140000071219812874", 12, 12, 1);
    generate_many("FR1420041010050500013M02606", 0, 10, 7919);
    generate_many("FR1420041010050500013M02606", 16, 16, 9); /* 5 free positions */
    generate_many("MC5811222000010123456789030", 0, 10, 7919);
    generate_many("DE89370400440532013000", 0, 8, 7919);
    generate_many("GB29NWBK60161331926819", 0, 10, 7919);
    generate_many("AT611904300234573201", 0, 5, 7919);
}

/* Known answers worked out by hand (RIB key with 89 B + 15 G + 3 C, ISO digits with bc). */
static void
test_generate_known_answers(void **state)
{
    static const struct {
        const char *base;
        int prefix_len;
        uint64_t seq;
        const char *want;
    } kat[] = {
        /* B=20041 G=01005 C=00000000001: 89B+15G+3C = 1798727 = 56 (mod 97), K = 41 */
        {"FR1420041010050500013M02606", 0, 1, "FR7620041010050000000000141"},
        /* C=00123456789: K = 24; every all-digit FR IBAN has check digits 76 */
        {"FR1420041010050500013M02606", 0, 123456789, "FR7620041010050012345678924"},
        /* keeps "0500013M" of the base: C = 0500013M005 -> 05000134005, K = 69 */
        {"FR1420041010050500013M02606", 18, 5, "FR1420041010050500013M00569"},
        /* B=11222 G=00001 C=00000000042: K = 07 */
        {"MC5811222000010123456789030", 0, 42, "MC5811222000010000000004207"},
        {"PL61109010140000071219812874", 0, 1, "PL07109010140000000000000001"},
        {"PL61109010140000071219812874", 0, 1234567890123456ULL, "PL27109010141234567890123456"},
        {"PL61109010140000071219812874", 0, 9999999999999999ULL, "PL36109010149999999999999999"},
        {"DE89370400440532013000", 0, 1, "DE41370400440000000001"},
        {"GB29NWBK60161331926819", 0, 1, "GB53NWBK60161300000001"},
    };
    char out[CT_IBAN_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        assert_int_equal(ct_iban_generate(kat[i].base, kat[i].prefix_len, kat[i].seq, out), CT_OK);
        assert_true(ct_iban_valid(out));
        assert_string_equal(out, kat[i].want);
    }
}

static void
test_generate_refusals(void **state)
{
    static const char *const unsupported[] = {
        "BE68539007547034",
        "NO9386011117947",
        "ES9121000418450200051332",
        "IT60X0542811101000000123456",
        "SM86U0322509800000000270100",
        "PT50000201231234567890154",
        "BR1800360305000010009795493C1",
        "MU17BOMM0101101030300200000MUR",
    };
    char out[CT_IBAN_MAX + 1] = "untouched";
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
        assert_int_equal(ct_iban_generate(unsupported[i], 0, 1, out), CT_E_RULE);
    /* invalid base */
    assert_int_equal(ct_iban_generate("PL62109010140000071219812874", 0, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("pl61109010140000071219812874", 0, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate(NULL, 0, 1, out), CT_E_RULE);
    /* prefix shorter than bank + branch (FR: bank + guichet; PL: sort code), negative, or
     * leaving no free position */
    assert_int_equal(ct_iban_generate("FR1420041010050500013M02606", 5, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("PL61109010140000071219812874", 3, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("GB29NWBK60161331926819", 4, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("DE89370400440532013000", -1, 1, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("FR1420041010050500013M02606", 21, 0, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("PL61109010140000071219812874", 24, 0, out), CT_E_RULE);
    /* seq must fit in the free positions */
    assert_int_equal(ct_iban_generate("PL61109010140000071219812874", 0, 10000000000000000ULL, out),
                     CT_E_RULE);
    assert_int_equal(ct_iban_generate("FR1420041010050500013M02606", 20, 10, out), CT_E_RULE);
    assert_int_equal(ct_iban_generate("DE89370400440532013000", 0, UINT64_MAX, out), CT_E_RULE);
    assert_string_equal(out, "untouched");
    assert_int_equal(ct_iban_generate("FR1420041010050500013M02606", 20, 9, out), CT_OK);
    assert_int_equal(ct_iban_generate("DE89370400440532013000", 0, 9999999999ULL, out), CT_OK);
    assert_string_equal(out + 4, "370400449999999999");
}

/* Every registry country either generates valid IBANs from its example or is refused because
 * of a national check this module does not compute. */
static void
test_generate_every_country(void **state)
{
    static const uint64_t seqs[] = {0, 1, 42, 12345, 99999};
    char out[CT_IBAN_MAX + 1];
    size_t i, k;
    int supported = 0;

    (void)state;
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        enum national kind = national_of(iban_examples[i]);
        bool want = kind == NAT_NONE || kind == NAT_RIB || kind == NAT_PL;

        for (k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
            enum ct_err err = ct_iban_generate(iban_examples[i], 0, seqs[k], out);

            if (!want) {
                assert_int_equal(err, CT_E_RULE);
                continue;
            }
            if (err != CT_OK)
                fail_msg("%s: generation refused", iban_examples[i]);
            if (!ct_iban_valid(out))
                fail_msg("%s: generated %s invalid", iban_examples[i], out);
        }
        supported += want;
    }
    assert_true(supported >= 50);
}

static void
test_print(void **state)
{
    char out[CT_IBAN_PRINT_MAX + 1];
    char norm[CT_IBAN_MAX + 1];
    size_t i;

    (void)state;
    ct_iban_print("FR1420041010050500013M02606", out);
    assert_string_equal(out, "FR14 2004 1010 0505 0001 3M02 606");
    ct_iban_print("PL61109010140000071219812874", out);
    assert_string_equal(out, "PL61 1090 1014 0000 0712 1981 2874");
    ct_iban_print("NO9386011117947", out);
    assert_string_equal(out, "NO93 8601 1117 947");
    ct_iban_print("LC55HEMM000100010012001200023015", out);
    assert_string_equal(out, "LC55 HEMM 0001 0001 0012 0012 0002 3015");
    ct_iban_print("1234567890123456789012345678901234", out);
    assert_string_equal(out, "1234 5678 9012 3456 7890 1234 5678 9012 34");
    assert_int_equal(strlen(out), CT_IBAN_PRINT_MAX);
    ct_iban_print("12345678901234567890123456789012345678", out); /* cut at CT_IBAN_MAX */
    assert_string_equal(out, "1234 5678 9012 3456 7890 1234 5678 9012 34");
    ct_iban_print("", out);
    assert_string_equal(out, "");
    ct_iban_print(NULL, out);
    assert_string_equal(out, "");
    ct_iban_print("DE", NULL);
    for (i = 0; i < IBAN_EXAMPLES_COUNT; i++) {
        ct_iban_print(iban_examples[i], out);
        assert_int_equal(ct_iban_normalize(out, norm), CT_OK);
        assert_string_equal(norm, iban_examples[i]);
    }
}

static void
test_normalize(void **state)
{
    char out[CT_IBAN_MAX + 1] = "untouched";

    (void)state;
    assert_int_equal(ct_iban_normalize(" fr14 2004 1010 0505 0001 3m02 606 ", out), CT_OK);
    assert_string_equal(out, "FR1420041010050500013M02606");
    assert_int_equal(ct_iban_normalize("1234567890123456789012345678901234", out), CT_OK);
    assert_int_equal(ct_iban_normalize("zz00", out), CT_OK); /* does not validate */
    assert_string_equal(out, "ZZ00");
    memcpy(out, "untouched", 10);
    assert_int_equal(ct_iban_normalize("12345678901234567890123456789012345", out), CT_E_RULE);
    assert_int_equal(ct_iban_normalize("FR14\t2004", out), CT_E_RULE);
    assert_int_equal(ct_iban_normalize("FR14-2004", out), CT_E_RULE);
    assert_int_equal(ct_iban_normalize("FR14\xc2\xa0"
                                       "2004",
                                       out),
                     CT_E_RULE);
    assert_int_equal(ct_iban_normalize("", out), CT_E_RULE);
    assert_int_equal(ct_iban_normalize("    ", out), CT_E_RULE);
    assert_int_equal(ct_iban_normalize(NULL, out), CT_E_RULE);
    assert_string_equal(out, "untouched");
}

static void
test_mod97(void **state)
{
    (void)state;
    assert_int_equal(ct_iban_mod97("DE89370400440532013000"), 1);
    assert_int_equal(ct_iban_mod97("DE00370400440532013000"), 9); /* 1 - 89 = 9 (mod 97) */
    assert_int_equal(ct_iban_mod97("DE99370400440532013000"), 11);
    assert_int_equal(ct_iban_mod97("DE8937040044053201300a"), -1);
    assert_int_equal(ct_iban_mod97("DE8937040044053201300-"), -1);
    assert_int_equal(ct_iban_mod97("DE8"), -1);
    assert_int_equal(ct_iban_mod97(NULL), -1);
}

/* RIB parts of FR and MC IBANs; every other country, and anything invalid, is refused. */
static void
test_rib_parts(void **state)
{
    struct ct_iban_rib r, untouched;
    char gen[CT_IBAN_MAX + 1], bad[CT_IBAN_MAX + 8];

    (void)state;
    assert_int_equal(ct_iban_rib_parts("FR1420041010050500013M02606", &r), CT_OK);
    assert_string_equal(r.bank, "20041");
    assert_string_equal(r.branch, "01005");
    assert_string_equal(r.number, "0500013M026");
    assert_string_equal(r.key, "06");
    assert_int_equal(ct_iban_rib_parts("MC5811222000010123456789030", &r), CT_OK);
    assert_string_equal(r.bank, "11222");
    assert_string_equal(r.branch, "00001");
    assert_string_equal(r.number, "01234567890");
    assert_string_equal(r.key, "30");
    /* a generated IBAN gives back the bank and guichet of its base and a key that checks */
    assert_int_equal(ct_iban_generate("FR1420041010050500013M02606", 10, 4242, gen), CT_OK);
    assert_int_equal(ct_iban_rib_parts(gen, &r), CT_OK);
    assert_string_equal(r.bank, "20041");
    assert_string_equal(r.branch, "01005");
    assert_string_equal(r.number, "00000004242");
    assert_int_equal(rib_key(gen + 4), (r.key[0] - '0') * 10 + (r.key[1] - '0'));
    memset(&untouched, 0x5a, sizeof(untouched));
    r = untouched;
    assert_int_equal(ct_iban_rib_parts("DE89370400440532013000", &r), CT_E_RULE);
    assert_int_equal(ct_iban_rib_parts("PL61109010140000071219812874", &r), CT_E_RULE);
    assert_int_equal(ct_iban_rib_parts("fr1420041010050500013m02606", &r), CT_E_RULE);
    assert_int_equal(ct_iban_rib_parts("FR14 2004 1010 0505 0001 3M02 606", &r), CT_E_RULE);
    assert_int_equal(ct_iban_rib_parts(NULL, &r), CT_E_RULE);
    copy(bad, "FR1420041010050500013M02606");
    bad[26] = '7'; /* wrong RIB key (check digits fixed so only the key is wrong) */
    fix_check_digits(bad);
    assert_int_equal(ct_iban_rib_parts(bad, &r), CT_E_RULE);
    assert_memory_equal(&r, &untouched, sizeof(r));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_table),
        cmocka_unit_test(test_country_find),
        cmocka_unit_test(test_examples_valid),
        cmocka_unit_test(test_examples_one_digit_changed),
        cmocka_unit_test(test_examples_adjacent_swap),
        cmocka_unit_test(test_examples_wrong_length),
        cmocka_unit_test(test_examples_lower_case),
        cmocka_unit_test(test_examples_forced_check_digits),
        cmocka_unit_test(test_check_digit_aliases),
        cmocka_unit_test(test_unknown_country),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_national_checks),
        cmocka_unit_test(test_generate_unique_valid),
        cmocka_unit_test(test_generate_known_answers),
        cmocka_unit_test(test_generate_refusals),
        cmocka_unit_test(test_generate_every_country),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_mod97),
        cmocka_unit_test(test_rib_parts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
