/* oauth_client.c - register and manage the OAuth clients (third-party services) of a partner.
 *
 *   comptoir-oauth_client CONF add --partner PUBLIC_ID --name NAME --redirect-uri URI
 *                         [--redirect-uri URI2 ...] [--client-id ID] [--secret-file F]
 *   comptoir-oauth_client CONF add-uri CLIENT_ID URI
 *   comptoir-oauth_client CONF list [--partner PUBLIC_ID]
 *   comptoir-oauth_client CONF disable CLIENT_ID | enable CLIENT_ID
 *
 * add prints client_id and client_secret once: the secret (256 random bits) is stored only as
 * an argon2id hash. With --secret-file F the secret is written to F (mode 0600) instead of
 * being printed, or, when F exists and is not empty, taken from F (so a script can re-create
 * the same client). Exit: 0 done, 1 refused (exists, unknown, invalid), 2 usage or failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_oauth.h"
#include "ct/ct_partner.h"
#include "ct/ct_password.h"
#include "ct/ct_token.h"
#include "ct/ct_tool.h"
#include "ct/ct_util.h"

#define MAX_URIS 8

struct add_args {
    const char *partner, *name, *client_id, *secret_file;
    const char *uris[MAX_URIS];
    size_t nuris;
    int64_t partner_id;
    char id[CT_OAUTH_CLIENT_ID_MAX + 1];
    char hash[CT_PASSWORD_HASH_MAX];
};

static int usage(void);
static const char prog[] = "oauth_client";
static enum ct_err add_unit(struct ct_db *db, void *arg);
static bool secret_from_file(const char *path, char secret[CT_TOKEN_MAX], bool *created);
static int cmd_add(struct ct_db *db, int argc, char **argv);
static int cmd_add_uri(struct ct_db *db, int argc, char **argv);
static int cmd_list(struct ct_db *db, int argc, char **argv);
static int cmd_status(struct ct_db *db, int argc, char **argv, bool active);
static int cmd_disable(struct ct_db *db, int argc, char **argv);
static int cmd_enable(struct ct_db *db, int argc, char **argv);

static int
usage(void)
{
    fprintf(stderr,
            "usage: comptoir-oauth_client CONF add --partner PUBLIC_ID --name NAME "
            "--redirect-uri URI [--redirect-uri URI ...] [--client-id ID] [--secret-file F]\n"
            "       comptoir-oauth_client CONF add-uri CLIENT_ID URI\n"
            "       comptoir-oauth_client CONF list [--partner PUBLIC_ID]\n"
            "       comptoir-oauth_client CONF disable|enable CLIENT_ID\n");
    return 2;
}

/* The secret in path (first line), or a new one written there with mode 0600. */
static bool
secret_from_file(const char *path, char secret[CT_TOKEN_MAX], bool *created)
{
    unsigned char hash[32];
    FILE *f = fopen(path, "r");
    int fd;
    bool ok;

    *created = false;
    if (f != NULL) {
        ok = fgets(secret, CT_TOKEN_MAX, f) != NULL;
        (void)fclose(f);
        secret[strcspn(secret, "\r\n")] = '\0';
        if (ok && secret[0] != '\0')
            return true;
    }
    if (ct_token_new("sk", secret, hash) != CT_OK)
        return false;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "oauth_client: %s: %s\n", path, strerror(errno));
        return false;
    }
    ok = write(fd, secret, strlen(secret)) == (ssize_t)strlen(secret) && write(fd, "\n", 1) == 1;
    ok = close(fd) == 0 && ok;
    *created = ok;
    return ok;
}

static enum ct_err
add_unit(struct ct_db *db, void *arg)
{
    struct add_args *a = arg;
    enum ct_err err;
    size_t i;

    err = ct_oauth_client_insert(db, a->partner_id, a->id, a->name, a->hash);
    for (i = 0; err == CT_OK && i < a->nuris; i++)
        err = ct_oauth_redirect_add(db, a->id, a->uris[i]);
    return err;
}

static int
cmd_add(struct ct_db *db, int argc, char **argv)
{
    struct add_args a;
    char secret[CT_TOKEN_MAX] = "";
    bool created = false;
    enum ct_err err;
    int i, rc;

    memset(&a, 0, sizeof(a));
    for (i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--partner") == 0)
            a.partner = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0)
            a.name = argv[i + 1];
        else if (strcmp(argv[i], "--client-id") == 0)
            a.client_id = argv[i + 1];
        else if (strcmp(argv[i], "--secret-file") == 0)
            a.secret_file = argv[i + 1];
        else if (strcmp(argv[i], "--redirect-uri") == 0 && a.nuris < MAX_URIS)
            a.uris[a.nuris++] = argv[i + 1];
        else
            return usage();
    }
    if (i != argc || a.partner == NULL || a.name == NULL || a.nuris == 0 || strlen(a.name) > 128)
        return usage();
    for (i = 0; i < (int)a.nuris; i++)
        if (!ct_oauth_redirect_uri_valid(a.uris[i]))
            return ct_tool_exit(prog, CT_E_RULE, a.uris[i]);
    if (a.client_id != NULL && (strlen(a.client_id) == 0 || strlen(a.client_id) > 80))
        return ct_tool_exit(prog, CT_E_RULE, "client id");
    if (a.client_id != NULL)
        (void)snprintf(a.id, sizeof(a.id), "%s", a.client_id);
    else if (ct_uuid_new(a.id) != CT_OK)
        return 2;
    err = ct_partner_find(db, a.partner, &a.partner_id);
    if (err != CT_OK)
        return ct_tool_exit(prog, err, a.partner);
    if (a.secret_file != NULL ? !secret_from_file(a.secret_file, secret, &created)
                              : ct_token_new("sk", secret, (unsigned char[32]){0}) != CT_OK)
        return 2;
    if (ct_password_hash(secret, a.hash) != CT_OK)
        return 2;
    err = ct_db_txn(db, add_unit, &a);
    rc = ct_tool_exit(prog, err, a.id);
    if (rc == 0) {
        printf("client_id=%s\n", a.id);
        if (a.secret_file == NULL)
            printf("client_secret=%s\n", secret);
        else
            printf("client_secret_file=%s\n", a.secret_file);
    } else if (created) {
        (void)unlink(a.secret_file);
    }
    OPENSSL_cleanse(secret, sizeof(secret));
    return rc;
}

struct uri_args {
    const char *id, *uri;
};

static enum ct_err
uri_unit(struct ct_db *db, void *arg)
{
    struct uri_args *a = arg;

    return ct_oauth_redirect_add(db, a->id, a->uri);
}

static int
cmd_add_uri(struct ct_db *db, int argc, char **argv)
{
    struct uri_args a;

    if (argc != 2)
        return usage();
    a.id = argv[0];
    a.uri = argv[1];
    if (!ct_oauth_redirect_uri_valid(a.uri))
        return ct_tool_exit(prog, CT_E_RULE, a.uri);
    return ct_tool_exit(prog, ct_db_txn(db, uri_unit, &a), a.uri);
}

static int
cmd_list(struct ct_db *db, int argc, char **argv)
{
    static const char sql[] =
        "SELECT c.client_id, p.public_id, c.status, c.name, "
        "COALESCE(GROUP_CONCAT(r.uri ORDER BY r.id SEPARATOR ' '), '') FROM oauth_client c "
        "JOIN partner p ON p.id = c.partner_id LEFT JOIN oauth_redirect_uri r ON r.client_id = "
        "c.id "
        "WHERE ? IS NULL OR p.public_id = ? GROUP BY c.id ORDER BY c.id";

    return ct_tool_list(prog, db, argc, argv, sql,
                        "client_id\tpartner\tstatus\tname\tredirect_uris", usage);
}

struct status_args {
    const char *id;
    bool active;
};

static enum ct_err
status_unit(struct ct_db *db, void *arg)
{
    struct status_args *a = arg;

    return ct_oauth_client_set_active(db, a->id, a->active);
}

static int
cmd_status(struct ct_db *db, int argc, char **argv, bool active)
{
    struct status_args a;

    if (argc != 1)
        return usage();
    a.id = argv[0];
    a.active = active;
    return ct_tool_exit(prog, ct_db_txn(db, status_unit, &a), a.id);
}

static int
cmd_disable(struct ct_db *db, int argc, char **argv)
{
    return cmd_status(db, argc, argv, false);
}

static int
cmd_enable(struct ct_db *db, int argc, char **argv)
{
    return cmd_status(db, argc, argv, true);
}

int
main(int argc, char **argv)
{
    static const struct ct_tool_cmd cmds[] = {
        {"add", cmd_add},         {"add-uri", cmd_add_uri}, {"list", cmd_list},
        {"disable", cmd_disable}, {"enable", cmd_enable},   {NULL, NULL},
    };

    return ct_tool_main(prog, argc, argv, cmds, usage);
}
