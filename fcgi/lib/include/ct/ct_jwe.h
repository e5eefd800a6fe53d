/* ct_jwe.h - compact JWE (RFC 7516) on OpenSSL 3 EVP: decrypt RSA-OAEP-256 or RSA-OAEP with
 * A256GCM, encrypt RSA-OAEP-256 + A256GCM; RSA keys of 2048 to 8192 bits. */
#ifndef CT_JWE_H
#define CT_JWE_H
#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "ct/ct_err.h"

/* The error envelope's codes for JWE failures (DESIGN.md section 5), beside CT_E_BADREQ. */
#define CT_JWE_ENCRYPTION_REQUIRED "ENCRYPTION_REQUIRED"
#define CT_JWE_INVALID_PUBLIC_KEY "INVALID_PUBLIC_KEY"
#define CT_JWE_INVALID_PAYLOAD "INVALID_PAYLOAD"
#define CT_JWE_CANT_DECRYPT "CANT_DECRYPT_PAYLOAD"

#define CT_JWE_MIN_BITS 2048
#define CT_JWE_MAX_BITS 8192

/* An RSA key, public or private; opaque. Freed with ct_jwe_key_free(), which lets OpenSSL wipe
 * the private numbers. */
struct ct_jwe_key;

/* A key from its text: a JWK (JSON, kty RSA; private when it has "d"), PEM (PKCS#8 or PKCS#1
 * private key, or a SubjectPublicKeyInfo or PKCS#1 public key; an encrypted PEM is refused,
 * never prompted for), or DER SubjectPublicKeyInfo. CT_E_BADREQ for anything else, a key that is
 * not RSA, outside CT_JWE_MIN_BITS..CT_JWE_MAX_BITS, or with an even or unit public exponent. On
 * CT_OK *out is the caller's. */
enum ct_err ct_jwe_key_parse(const void *data, size_t len, struct ct_jwe_key **out);
/* The same from a file (at most 64 KiB). CT_E_BADREQ with a reason in why (caller's buffer of
 * whysz bytes) when the file cannot be read or holds no acceptable key. */
enum ct_err ct_jwe_key_load(const char *path, struct ct_jwe_key **out, char *why, size_t whysz);
/* The client's Public-Key header: base64 (standard or URL alphabet, padding optional) of a public
 * key in one of the forms above. A private key is refused: CT_E_BADREQ. */
enum ct_err ct_jwe_key_from_header(const char *value, struct ct_jwe_key **out);
void ct_jwe_key_free(struct ct_jwe_key *key); /* NULL-safe */
bool ct_jwe_key_is_private(const struct ct_jwe_key *key);

/* The public half as PEM (SubjectPublicKeyInfo) text, heap memory the caller frees with free();
 * and as a new JWK {kty, kid, use "enc", alg "RSA-OAEP-256", n, e} the caller puts, whose kid is
 * the RFC 7638 thumbprint. CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_jwe_key_public_pem(const struct ct_jwe_key *key, char **pem);
enum ct_err ct_jwe_key_public_jwk(const struct ct_jwe_key *key, struct json_object **jwk);

/* Decrypts a compact JWE of len bytes with a private key. On CT_OK *plain (heap, NUL-terminated
 * after plain_len bytes) is the caller's, freed with ct_jwe_plain_free(). Otherwise CT_E_BADREQ
 * and *code says which: CT_JWE_INVALID_PAYLOAD (not five strict base64url parts, or a protected
 * header that is not exactly alg RSA-OAEP-256 or RSA-OAEP and enc A256GCM, with kid, typ and cty
 * the only other members, each once) or CT_JWE_CANT_DECRYPT (encrypted key, IV, tag or CEK of the
 * wrong length, a key that does not open it, or a tag that does not verify). */
enum ct_err ct_jwe_decrypt(const struct ct_jwe_key *key, const char *compact, size_t len,
                           unsigned char **plain, size_t *plain_len, const char **code);
/* Encrypts len bytes to a key (RSA-OAEP-256 + A256GCM, fresh CEK and IV). On CT_OK *compact is
 * heap text the caller frees with free(); CT_E_INTERNAL when OpenSSL fails. */
enum ct_err ct_jwe_encrypt(const struct ct_jwe_key *key, const void *plain, size_t len,
                           char **compact);
void ct_jwe_plain_free(unsigned char *plain, size_t len); /* wipes, then frees; NULL-safe */

#endif /* CT_JWE_H */
