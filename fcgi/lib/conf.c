/* conf.c - table-driven "key = value" configuration with COMPTOIR_<KEY> environment overrides. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_conf.h"
#include "ct/ct_util.h"

enum conf_type { CONF_STR, CONF_INT, CONF_SIZE };

struct conf_key {
    const char *name;
    enum conf_type type;
    size_t offset;
    size_t size; /* for strings: the array size */
    long long min, max;
    const char *def;
};

#define STR_KEY(n, d)                                                                              \
    {                                                                                              \
#n, CONF_STR, offsetof(struct ct_conf, n), sizeof(((struct ct_conf *)0)->n), 0, 0, d       \
    }
#define INT_KEY(n, lo, hi, d)                                                                      \
    {                                                                                              \
#n, CONF_INT, offsetof(struct ct_conf, n), 0, lo, hi, d                                    \
    }
#define SIZE_KEY(n, lo, hi, d)                                                                     \
    {                                                                                              \
#n, CONF_SIZE, offsetof(struct ct_conf, n), 0, lo, hi, d                                   \
    }

static const struct conf_key conf_keys[] = {
    STR_KEY(listen, ""),
    INT_KEY(workers, 1, 64, "4"),
    INT_KEY(backlog, 16, 65535, "1024"),
    SIZE_KEY(max_body, 1024, 64LL * 1024 * 1024, "65536"),
    STR_KEY(db_socket, "/run/mysqld/mysqld.sock"),
    STR_KEY(db_name, "comptoir"),
    STR_KEY(db_user, "comptoir"),
    STR_KEY(db_password_file, ""),
    INT_KEY(db_retries, 0, 100, "5"),
    INT_KEY(log_level, 0, 7, "6"),
    STR_KEY(var_dir, "var"),
    STR_KEY(partner, ""),
    STR_KEY(www_dir, "www"),
    STR_KEY(files_dir, "var/files"),
    INT_KEY(session_ttl, 60, 86400, "600"),
    INT_KEY(ident_cache_ttl, 0, 60, "5"),
    STR_KEY(jwe_key_file, ""),
    STR_KEY(issuer, ""),
    STR_KEY(card_keys_file, ""),
    {NULL, CONF_STR, 0, 0, 0, 0, NULL},
};

static enum ct_err set_key(struct ct_conf *conf, const struct conf_key *k, const char *value,
                           char *why, size_t whysz);
static const struct conf_key *find_key(const char *name);
static char *trim(char *s);
static enum ct_err load_file(const char *path, struct ct_conf *conf, char *why, size_t whysz);

static const struct conf_key *
find_key(const char *name)
{
    const struct conf_key *k;

    for (k = conf_keys; k->name != NULL; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static enum ct_err
set_key(struct ct_conf *conf, const struct conf_key *k, const char *value, char *why, size_t whysz)
{
    char *field = (char *)conf + k->offset;
    int64_t v;

    if (k->type == CONF_STR) {
        if (strlen(value) >= k->size) {
            (void)snprintf(why, whysz, "%s: value too long", k->name);
            return CT_E_BADREQ;
        }
        memcpy(field, value, strlen(value) + 1);
        return CT_OK;
    }
    if (!ct_parse_i64(value, k->min, k->max, &v)) {
        (void)snprintf(why, whysz, "%s: expected a whole number in [%lld, %lld]", k->name, k->min,
                       k->max);
        return CT_E_BADREQ;
    }
    if (k->type == CONF_INT)
        *(int *)(void *)field = (int)v;
    else
        *(size_t *)(void *)field = (size_t)v;
    return CT_OK;
}

static char *
trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static enum ct_err
load_file(const char *path, struct ct_conf *conf, char *why, size_t whysz)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    int lineno = 0;
    enum ct_err err = CT_OK;

    if (f == NULL) {
        (void)snprintf(why, whysz, "%s: %s", path, strerror(errno));
        return CT_E_BADREQ;
    }
    while (err == CT_OK && fgets(line, sizeof(line), f) != NULL) {
        char *s = trim(line), *eq, *key, *val;
        const struct conf_key *k;

        lineno++;
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (eq == NULL) {
            (void)snprintf(why, whysz, "%s:%d: expected key = value", path, lineno);
            err = CT_E_BADREQ;
            break;
        }
        *eq = '\0';
        key = trim(s);
        val = trim(eq + 1);
        k = find_key(key);
        if (k == NULL) {
            (void)snprintf(why, whysz, "%s:%d: unknown key '%s'", path, lineno, key);
            err = CT_E_BADREQ;
            break;
        }
        err = set_key(conf, k, val, why, whysz);
    }
    (void)fclose(f);
    return err;
}

enum ct_err
ct_conf_load(const char *path, struct ct_conf *conf, char *why, size_t whysz)
{
    const struct conf_key *k;
    enum ct_err err;

    memset(conf, 0, sizeof(*conf));
    for (k = conf_keys; k->name != NULL; k++) {
        err = set_key(conf, k, k->def, why, whysz);
        if (err != CT_OK)
            return err;
    }
    if (path != NULL) {
        err = load_file(path, conf, why, whysz);
        if (err != CT_OK)
            return err;
    }
    for (k = conf_keys; k->name != NULL; k++) {
        char env[64];
        const char *v;
        size_t i;

        (void)snprintf(env, sizeof(env), "COMPTOIR_%s", k->name);
        for (i = 9; env[i] != '\0'; i++)
            env[i] = (char)toupper((unsigned char)env[i]);
        v = getenv(env);
        if (v == NULL)
            continue;
        err = set_key(conf, k, v, why, whysz);
        if (err != CT_OK)
            return err;
    }
    return CT_OK;
}
