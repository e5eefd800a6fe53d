/* ct_conf.h - the one configuration file of a pool or tool: "key = value" lines, env overrides. */
#ifndef CT_CONF_H
#define CT_CONF_H
#include <stddef.h>
#include "ct/ct_err.h"

/* Read-only after ct_conf_load(). Every key has a default; unknown keys stop the program. */
struct ct_conf {
    char listen[256];    /* FastCGI unix socket path (listen = /path/secure.sock) */
    int workers;         /* pre-forked worker processes, 1..64 */
    int backlog;         /* listen backlog */
    size_t max_body;     /* request body cap in bytes */
    char db_socket[256]; /* MariaDB unix socket */
    char db_name[64];
    char db_user[64];
    char db_password_file[256]; /* optional: file holding the password (0600) */
    int db_retries;             /* re-runs of a unit of work on deadlock / lock wait */
    int log_level;              /* syslog level: 3 err .. 7 debug */
    char var_dir[256];          /* where runtime files and keys live */
    char partner[64];           /* public id of the partner whose customers this front serves
                                   (customer registration and logins, OAuth connect pages) */
    char www_dir[256];          /* static pages and page templates (www/) */
    char files_dir[256]; /* uploaded documents and generated statements, outside the web root */
    int session_ttl;     /* customer session lifetime in seconds, sliding */
    int ident_cache_ttl; /* seconds nginx may keep an OAuth check's answer (0: never), auth pool */
    char jwe_key_file[256];   /* the server's JWE private key (PEM, 0600); none: no JWE routes */
    char card_keys_file[256]; /* the card keyring (docs/middleware.md "Card data", 0600); none:
                                 card routes answer 500 */
    char issuer[256]; /* the OAuth issuer: the main server's public origin https://host[:port]
                         (auth pool: RFC 8414 metadata, RFC 9207 iss) */
};

/* Load defaults, then the file (may be NULL: defaults + env only), then environment overrides
 * COMPTOIR_<KEY> (upper case). A bad line, unknown key or out-of-range value is CT_E_BADREQ with
 * a message in why (caller-provided, whysz bytes). */
enum ct_err ct_conf_load(const char *path, struct ct_conf *conf, char *why, size_t whysz);

#endif /* CT_CONF_H */
