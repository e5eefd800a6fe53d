/* operator.c - the platform operator's tool for the admin channel: a partner's operators (the
 * first ADMIN of a partner comes from here; its ADMINs add the others in the panel) and the
 * origins its admin panel is served from.
 *
 *   comptoir-operator CONF add --partner PUBLIC_ID --email EMAIL --role EMPLOYEE|MANAGER|ADMIN
 *                     [--name NAME] [--password-file F]
 *   comptoir-operator CONF list [--partner PUBLIC_ID]
 *   comptoir-operator CONF set-role EMAIL EMPLOYEE|MANAGER|ADMIN
 *   comptoir-operator CONF origins PUBLIC_ID list | add ORIGIN | remove ORIGIN
 *
 * add takes the password from the first line of F, or, without --password-file, makes one and
 * prints it once (only its argon2id hash is kept); it prints operator_id=... list prints one line
 * per operator: id partner email role status name. An origin is https://host[:port] as a browser
 * sends it in the Origin header. Exit: 0 done, 1 refused (exists, unknown, invalid), 2 usage or
 * failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_operator.h"
#include "ct/ct_partner.h"
#include "ct/ct_password.h"
#include "ct/ct_tool.h"
#include "ct/ct_util.h"

#define PASSWORD_MAX 160

struct add_args {
    struct ct_operator op;
    char hash[CT_PASSWORD_HASH_MAX];
};

struct role_args {
    const char *email, *role;
};

struct origin_args {
    int64_t partner_id;
    const char *origin;
    bool add;
};

static int usage(void);
static const char prog[] = "operator";
static bool read_password(const char *path, char password[PASSWORD_MAX]);
static enum ct_err add_unit(struct ct_db *db, void *arg);
static enum ct_err role_unit(struct ct_db *db, void *arg);
static enum ct_err origin_unit(struct ct_db *db, void *arg);
static int cmd_add(struct ct_db *db, int argc, char **argv);
static int cmd_list(struct ct_db *db, int argc, char **argv);
static int cmd_set_role(struct ct_db *db, int argc, char **argv);
static int cmd_origins(struct ct_db *db, int argc, char **argv);

static int
usage(void)
{
    fprintf(stderr,
            "usage: comptoir-operator CONF add --partner PUBLIC_ID --email EMAIL "
            "--role EMPLOYEE|MANAGER|ADMIN [--name NAME] [--password-file F]\n"
            "       comptoir-operator CONF list [--partner PUBLIC_ID]\n"
            "       comptoir-operator CONF set-role EMAIL EMPLOYEE|MANAGER|ADMIN\n"
            "       comptoir-operator CONF origins PUBLIC_ID list|add ORIGIN|remove ORIGIN\n");
    return 2;
}

/* The first line of path, which must pass the password policy. */
static bool
read_password(const char *path, char password[PASSWORD_MAX])
{
    FILE *f = fopen(path, "r");
    const char *why = NULL;
    bool ok;

    if (f == NULL) {
        fprintf(stderr, "operator: cannot read %s\n", path);
        return false;
    }
    ok = fgets(password, PASSWORD_MAX, f) != NULL;
    (void)fclose(f);
    password[strcspn(password, "\r\n")] = '\0';
    if (ok && !ct_password_acceptable(password, &why)) {
        fprintf(stderr, "operator: password: %s\n", why);
        ok = false;
    }
    return ok;
}

static enum ct_err
add_unit(struct ct_db *db, void *arg)
{
    struct add_args *a = arg;

    return ct_operator_insert(db, &a->op, a->hash);
}

static int
cmd_add(struct ct_db *db, int argc, char **argv)
{
    const char *partner = NULL, *email = NULL, *role = NULL, *name = "", *file = NULL;
    char password[PASSWORD_MAX] = "";
    unsigned char raw[12];
    struct add_args a;
    enum ct_err err;
    int i, rc;

    for (i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--partner") == 0)
            partner = argv[i + 1];
        else if (strcmp(argv[i], "--email") == 0)
            email = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0)
            role = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0)
            name = argv[i + 1];
        else if (strcmp(argv[i], "--password-file") == 0)
            file = argv[i + 1];
        else
            return usage();
    }
    if (i != argc || partner == NULL || email == NULL || role == NULL)
        return usage();
    if (!ct_operator_role_valid(role))
        return ct_tool_exit(prog, CT_E_RULE, role);
    if (strlen(email) > CT_OPERATOR_EMAIL_MAX || strchr(email, '@') == NULL)
        return ct_tool_exit(prog, CT_E_RULE, email);
    if (strlen(name) > CT_OPERATOR_NAME_MAX)
        return ct_tool_exit(prog, CT_E_RULE, "name");
    memset(&a, 0, sizeof(a));
    (void)snprintf(a.op.email, sizeof(a.op.email), "%s", email);
    (void)snprintf(a.op.name, sizeof(a.op.name), "%s", name);
    (void)snprintf(a.op.role, sizeof(a.op.role), "%s", role);
    err = ct_partner_find(db, partner, &a.op.partner_id);
    if (err != CT_OK)
        return ct_tool_exit(prog, err, partner);
    if (file != NULL) {
        if (!read_password(file, password))
            return 1;
    } else {
        if (RAND_bytes(raw, sizeof(raw)) != 1)
            return 2;
        memcpy(password, "Op-", 3);
        ct_hex(raw, sizeof(raw), password + 3);
        OPENSSL_cleanse(raw, sizeof(raw));
    }
    if (ct_password_hash(password, a.hash) != CT_OK)
        return 2;
    rc = ct_tool_exit(prog, ct_db_txn(db, add_unit, &a), email);
    if (rc == 0) {
        printf("operator_id=%s\n", a.op.id);
        if (file == NULL)
            printf("password=%s\n", password);
    }
    OPENSSL_cleanse(password, sizeof(password));
    return rc;
}

static int
cmd_list(struct ct_db *db, int argc, char **argv)
{
    static const char sql[] = "SELECT o.id, p.public_id, o.email, o.role, o.status, o.name "
                              "FROM operator o JOIN partner p ON p.id = o.partner_id "
                              "WHERE ? IS NULL OR p.public_id = ? ORDER BY o.created_at, o.id";

    return ct_tool_list(prog, db, argc, argv, sql, "id\tpartner\temail\trole\tstatus\tname", usage);
}

static enum ct_err
role_unit(struct ct_db *db, void *arg)
{
    struct role_args *a = arg;
    struct ct_operator op;
    enum ct_err err = ct_operator_find(db, a->email, &op);

    if (err != CT_OK)
        return err;
    (void)snprintf(op.role, sizeof(op.role), "%s", a->role);
    return ct_operator_update(db, &op, NULL);
}

static int
cmd_set_role(struct ct_db *db, int argc, char **argv)
{
    struct role_args a;

    if (argc != 2)
        return usage();
    a.email = argv[0];
    a.role = argv[1];
    if (!ct_operator_role_valid(a.role))
        return ct_tool_exit(prog, CT_E_RULE, a.role);
    return ct_tool_exit(prog, ct_db_txn(db, role_unit, &a), a.email);
}

static enum ct_err
origin_unit(struct ct_db *db, void *arg)
{
    struct origin_args *a = arg;

    return a->add ? ct_admin_origin_add(db, a->partner_id, a->origin)
                  : ct_admin_origin_remove(db, a->partner_id, a->origin);
}

static int
cmd_origins(struct ct_db *db, int argc, char **argv)
{
    static const char sql[] = "SELECT origin FROM admin_origin WHERE partner_id = ? "
                              "ORDER BY origin";
    struct origin_args a;
    struct ct_rows *rows = NULL;
    enum ct_err err;
    size_t i;

    if (argc < 2)
        return usage();
    memset(&a, 0, sizeof(a));
    err = ct_partner_find(db, argv[0], &a.partner_id);
    if (err != CT_OK)
        return ct_tool_exit(prog, err, argv[0]);
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        err = ct_db_query(db, sql, &rows, "l", a.partner_id);
        if (err != CT_OK)
            return ct_tool_exit(prog, err, "origins");
        for (i = 0; i < ct_rows_count(rows); i++)
            printf("%s\n", ct_rows_str(rows, i, 0));
        ct_rows_free(rows);
        return 0;
    }
    if (argc != 3 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "remove") != 0))
        return usage();
    a.add = strcmp(argv[1], "add") == 0;
    a.origin = argv[2];
    if (!ct_admin_origin_valid(a.origin))
        return ct_tool_exit(prog, CT_E_RULE, a.origin);
    return ct_tool_exit(prog, ct_db_txn(db, origin_unit, &a), a.origin);
}

int
main(int argc, char **argv)
{
    static const struct ct_tool_cmd cmds[] = {
        {"add", cmd_add},         {"list", cmd_list}, {"set-role", cmd_set_role},
        {"origins", cmd_origins}, {NULL, NULL},
    };

    return ct_tool_main(prog, argc, argv, cmds, usage);
}
