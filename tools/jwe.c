/* jwe.c - comptoir-jwe: the library's JWE from a shell, for operators and the interop tests.
 *
 *   comptoir-jwe encrypt --key PUBLIC_KEY   < plaintext > compact JWE (RSA-OAEP-256 + A256GCM)
 *   comptoir-jwe decrypt --key PRIVATE_KEY  < compact JWE > plaintext
 *   comptoir-jwe public  --key KEY          > {"pem", "jwk"} as GET /jwe/public-key answers
 *
 * A key file is PEM (a private key, or a public key as SubjectPublicKeyInfo), DER
 * SubjectPublicKeyInfo, or a JWK; RSA of 2048 to 8192 bits. decrypt ignores a final newline
 * after the compact JWE. Exit: 0 done, 1 the input was refused (the error code on stderr), 2 bad
 * usage or key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_jwe.h"
#include "ct/ct_mem.h"

#define INPUT_MAX (16u * 1024 * 1024)

static int usage(void);
static unsigned char *read_all(FILE *f, size_t *n);
static int cmd_encrypt(const struct ct_jwe_key *key);
static int cmd_decrypt(const struct ct_jwe_key *key);
static int cmd_public(const struct ct_jwe_key *key);

static int
usage(void)
{
    fprintf(stderr, "usage: comptoir-jwe encrypt|decrypt|public --key KEY_FILE\n"
                    "  encrypt: stdin to a compact JWE (RSA-OAEP-256, A256GCM) for the public key\n"
                    "  decrypt: a compact JWE on stdin to its plaintext, with the private key\n"
                    "  public:  the key's public half as {\"pem\", \"jwk\"}\n"
                    "exit: 0 done, 1 input refused, 2 bad usage or key\n");
    return 2;
}

/* All of f, NUL-terminated; NULL past INPUT_MAX or on a read error. */
static unsigned char *
read_all(FILE *f, size_t *n)
{
    size_t cap = 4096, len = 0, got;
    unsigned char *buf = ct_malloc(cap + 1);

    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap && cap < INPUT_MAX) {
            cap *= 2;
            buf = ct_realloc(buf, cap + 1);
        } else if (len == cap) {
            break;
        }
    }
    if (ferror(f) || len == INPUT_MAX) {
        ct_free_secret(buf, cap + 1);
        return NULL;
    }
    buf[len] = '\0';
    *n = len;
    return buf;
}

static int
cmd_encrypt(const struct ct_jwe_key *key)
{
    size_t n = 0;
    unsigned char *plain = read_all(stdin, &n);
    char *compact = NULL;
    int rc = 1;

    if (plain == NULL) {
        fprintf(stderr, "comptoir-jwe: cannot read stdin (at most %u bytes)\n", INPUT_MAX);
        return 1;
    }
    if (ct_jwe_encrypt(key, plain, n, &compact) == CT_OK) {
        printf("%s\n", compact);
        rc = 0;
    } else {
        fprintf(stderr, "comptoir-jwe: encryption failed\n");
    }
    ct_jwe_plain_free(plain, n);
    free(compact);
    return rc;
}

static int
cmd_decrypt(const struct ct_jwe_key *key)
{
    size_t n = 0, plain_len = 0;
    unsigned char *in = read_all(stdin, &n), *plain = NULL;
    const char *code = NULL;
    int rc = 1;

    if (!ct_jwe_key_is_private(key)) {
        free(in);
        fprintf(stderr, "comptoir-jwe: decrypt needs a private key\n");
        return 2;
    }
    if (in == NULL) {
        fprintf(stderr, "comptoir-jwe: cannot read stdin (at most %u bytes)\n", INPUT_MAX);
        return 1;
    }
    while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
        n--;
    if (ct_jwe_decrypt(key, (const char *)in, n, &plain, &plain_len, &code) == CT_OK) {
        rc = fwrite(plain, 1, plain_len, stdout) == plain_len ? 0 : 1;
        ct_jwe_plain_free(plain, plain_len);
    } else {
        fprintf(stderr, "comptoir-jwe: %s\n", code);
    }
    free(in);
    return rc;
}

static int
cmd_public(const struct ct_jwe_key *key)
{
    struct json_object *o, *jwk = NULL;
    char *pem = NULL;

    if (ct_jwe_key_public_pem(key, &pem) != CT_OK || ct_jwe_key_public_jwk(key, &jwk) != CT_OK) {
        free(pem);
        fprintf(stderr, "comptoir-jwe: cannot export the key\n");
        return 2;
    }
    o = json_object_new_object();
    json_object_object_add(o, "pem", json_object_new_string(pem));
    json_object_object_add(o, "jwk", jwk);
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    free(pem);
    return 0;
}

int
main(int argc, char **argv)
{
    struct ct_jwe_key *key = NULL;
    char why[512];
    int rc;

    if (argc != 4 || strcmp(argv[2], "--key") != 0)
        return usage();
    if (ct_jwe_key_load(argv[3], &key, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "comptoir-jwe: %s\n", why);
        return 2;
    }
    if (strcmp(argv[1], "encrypt") == 0)
        rc = cmd_encrypt(key);
    else if (strcmp(argv[1], "decrypt") == 0)
        rc = cmd_decrypt(key);
    else if (strcmp(argv[1], "public") == 0)
        rc = cmd_public(key);
    else
        rc = usage();
    ct_jwe_key_free(key);
    return rc;
}
