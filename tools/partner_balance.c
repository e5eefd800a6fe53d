/* partner_balance.c - the platform operator's side of a partner's balances (seed 003: the
 * licensed issuer tops up a partner's credit or deposit balance once the partner's bank transfer
 * has arrived). The admin channel does the same for a partner's ADMIN operators.
 *
 *   comptoir-partner_balance CONF open --partner PUBLIC_ID --type credit|deposit --currency CUR
 *   comptoir-partner_balance CONF reload --partner PUBLIC_ID --type credit|deposit --currency CUR
 *                            --amount DECIMAL [--description TEXT]
 *   comptoir-partner_balance CONF list [--partner PUBLIC_ID]
 *
 * open prints id=... (of the existing balance too, with "exists" on stderr, so a script may run
 * it again); reload prints entry_id=...; list prints one line per balance: id partner type
 * currency balance available. Exit: 0 done, 1 refused (unknown partner or balance, bad amount,
 * a rule), 2 usage or failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_money.h"
#include "ct/ct_partner.h"
#include "ct/ct_partner_balance.h"
#include "ct/ct_tool.h"

struct args {
    const char *partner, *type_name, *currency, *amount_text, *description;
    int64_t partner_id;
    enum ct_pbal_type type;
    int64_t amount;
    struct ct_pbal pb;
    int64_t entry_id;
    const char *code;
    bool existed;
};

static int usage(void);
static bool parse(int argc, char **argv, struct args *a);
static enum ct_err find_balance(struct ct_db *db, struct args *a);
static enum ct_err open_unit(struct ct_db *db, void *arg);
static enum ct_err reload_unit(struct ct_db *db, void *arg);
static int cmd_list(struct ct_db *db, const struct args *a);
static int exit_for(enum ct_err err, const struct args *a);

static int
usage(void)
{
    fprintf(stderr, "usage: comptoir-partner_balance CONF open --partner PUBLIC_ID "
                    "--type credit|deposit --currency CUR\n"
                    "       comptoir-partner_balance CONF reload --partner PUBLIC_ID "
                    "--type credit|deposit --currency CUR --amount DECIMAL "
                    "[--description TEXT]\n"
                    "       comptoir-partner_balance CONF list [--partner PUBLIC_ID]\n");
    return 2;
}

static bool
parse(int argc, char **argv, struct args *a)
{
    int i;

    for (i = 3; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];

        if (strcmp(k, "--partner") == 0)
            a->partner = v;
        else if (strcmp(k, "--type") == 0)
            a->type_name = v;
        else if (strcmp(k, "--currency") == 0)
            a->currency = v;
        else if (strcmp(k, "--amount") == 0)
            a->amount_text = v;
        else if (strcmp(k, "--description") == 0 && strlen(v) <= 255)
            a->description = v;
        else
            return false;
    }
    return i == argc;
}

/* The partner's balance of the given type and currency. */
static enum ct_err
find_balance(struct ct_db *db, struct args *a)
{
    struct ct_pbal *items = NULL;
    size_t n = 0, i;
    enum ct_err err = ct_pbal_list(db, a->partner_id, &items, &n);

    for (i = 0; err == CT_OK && i < n; i++)
        if (items[i].type == a->type && strcmp(items[i].currency, a->currency) == 0)
            break;
    if (err == CT_OK && i == n)
        err = CT_E_NOTFOUND;
    if (err == CT_OK)
        a->pb = items[i];
    free(items);
    return err;
}

static enum ct_err
open_unit(struct ct_db *db, void *arg)
{
    struct args *a = arg;
    enum ct_err err = ct_pbal_open(db, a->partner_id, a->type, a->currency, &a->pb, &a->code);

    a->existed = err == CT_E_CONFLICT;
    return a->existed ? find_balance(db, a) : err;
}

static enum ct_err
reload_unit(struct ct_db *db, void *arg)
{
    struct args *a = arg;
    enum ct_err err = find_balance(db, a);

    return err != CT_OK
               ? err
               : ct_pbal_reload(db, &a->pb, a->amount, a->description, &a->entry_id, &a->code);
}

static int
cmd_list(struct ct_db *db, const struct args *a)
{
    struct ct_pbal *items = NULL;
    size_t n = 0, i;
    enum ct_err err = ct_pbal_list(db, a->partner_id, &items, &n);

    for (i = 0; err == CT_OK && i < n; i++) {
        const struct ct_currency *cur = ct_currency_find(items[i].currency);
        char bal[CT_MONEY_TEXT_MAX], avail[CT_MONEY_TEXT_MAX];

        (void)ct_money_format(items[i].balance, cur, bal, sizeof(bal));
        (void)ct_money_format(items[i].available, cur, avail, sizeof(avail));
        printf("%s %lld %s %s %s %s\n", items[i].id, (long long)items[i].partner_id,
               ct_pbal_type_name(items[i].type), items[i].currency, bal, avail);
    }
    free(items);
    return exit_for(err, a);
}

static int
exit_for(enum ct_err err, const struct args *a)
{
    if (err == CT_OK)
        return 0;
    if (err == CT_E_NOTFOUND)
        fprintf(stderr, "partner_balance: unknown partner or no such balance\n");
    else if (err == CT_E_RULE || err == CT_E_CONFLICT)
        fprintf(stderr, "partner_balance: refused: %s\n", a->code != NULL ? a->code : "rule");
    else
        fprintf(stderr, "partner_balance: failed (%s)\n", ct_err_code(err));
    return err == CT_E_NOTFOUND || err == CT_E_RULE || err == CT_E_CONFLICT ? 1 : 2;
}

int
main(int argc, char **argv)
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    struct args a;
    const char *cmd = argc > 2 ? argv[2] : "";
    const char *msg = NULL;
    enum ct_err err = CT_OK;
    int rc = 2;

    memset(&a, 0, sizeof(a));
    if (argc < 3 || !parse(argc, argv, &a))
        return usage();
    if (strcmp(cmd, "list") != 0) {
        a.type = ct_pbal_type_from_name(a.type_name);
        if (a.partner == NULL || a.currency == NULL || ct_currency_find(a.currency) == NULL ||
            (a.type != CT_PBAL_CREDIT && a.type != CT_PBAL_DEPOSIT) ||
            (strcmp(cmd, "reload") == 0) != (a.amount_text != NULL))
            return usage();
    }
    if (a.amount_text != NULL &&
        ct_money_parse(a.amount_text, strlen(a.amount_text), ct_currency_find(a.currency), false,
                       &a.amount, &msg) != CT_OK) {
        fprintf(stderr, "partner_balance: --amount %s\n", msg);
        return 1;
    }
    if (!ct_tool_connect("partner_balance", argv[1], &conf, &db))
        return 2;
    if (a.partner != NULL)
        err = ct_partner_find(db, a.partner, &a.partner_id);
    if (err != CT_OK)
        rc = exit_for(err, &a);
    else if (strcmp(cmd, "list") == 0)
        rc = cmd_list(db, &a);
    else if (strcmp(cmd, "open") == 0 || strcmp(cmd, "reload") == 0) {
        err = ct_db_txn(db, cmd[0] == 'o' ? open_unit : reload_unit, &a);
        rc = exit_for(err, &a);
        if (err == CT_OK && cmd[0] == 'o')
            printf("id=%s\n", a.pb.id);
        if (err == CT_OK && cmd[0] == 'o' && a.existed)
            fprintf(stderr, "partner_balance: exists\n");
        if (err == CT_OK && cmd[0] == 'r')
            printf("entry_id=%lld\n", (long long)a.entry_id);
    } else
        rc = usage();
    ct_db_close(db);
    return rc;
}
