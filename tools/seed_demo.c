/* seed_demo.c - the demo customer of the local stack: a customer of the demo partner who can log
 * in (consent page, customer channel), KYC verified, with an EUR and a PLN balance and a few
 * reloads on each. Idempotent: a second run only sets the password again.
 *
 *   comptoir-seed_demo CONF --partner PUBLIC_ID --email EMAIL --password-file FILE
 *
 * Prints customer_id=... Exit: 0 done, 1 refused (unknown partner, bad password), 2 failure. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_balance.h"
#include "ct/ct_conf.h"
#include "ct/ct_customer.h"
#include "ct/ct_db.h"
#include "ct/ct_kyc.h"
#include "ct/ct_log.h"
#include "ct/ct_password.h"

struct reload {
    const char *currency;
    int64_t amounts[3]; /* minor units; 0 ends the list */
};

static const struct reload demo_reloads[] = {
    {"EUR", {150000, 25050, 4210}},
    {"PLN", {320000, 12000, 0}},
};

struct seed {
    const char *partner, *email;
    int64_t partner_id;
    char hash[CT_PASSWORD_HASH_MAX];
    struct ct_customer c;
};

static enum ct_err seed_unit(struct ct_db *db, void *arg);
static enum ct_err customer_find(struct ct_db *db, struct seed *s, bool *found);
static enum ct_err balance_seed(struct ct_db *db, const struct seed *s, const struct reload *r);

static enum ct_err
customer_find(struct ct_db *db, struct seed *s, bool *found)
{
    static const char sql[] = "SELECT id FROM customer WHERE partner_id = ? AND email = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err = ct_db_query(db, sql, &rows, "ls", s->partner_id, s->email);

    *found = err == CT_OK && ct_rows_count(rows) == 1;
    if (*found)
        (void)snprintf(s->c.id, sizeof(s->c.id), "%s", ct_rows_str(rows, 0, 0));
    ct_rows_free(rows);
    return err;
}

/* The balance of the currency, opened and reloaded once. */
static enum ct_err
balance_seed(struct ct_db *db, const struct seed *s, const struct reload *r)
{
    static const char sql[] = "SELECT id FROM balance WHERE customer_id = ? AND currency = ?";
    struct ct_rows *rows = NULL;
    struct ct_balance b;
    const char *code = NULL;
    int64_t entry, after;
    enum ct_err err;
    size_t i, n;

    err = ct_db_query(db, sql, &rows, "ss", s->c.id, r->currency);
    n = ct_rows_count(rows);
    ct_rows_free(rows);
    if (err != CT_OK || n > 0)
        return err;
    err = ct_balance_open(db, s->partner_id, s->c.id, r->currency, &b, &code);
    for (i = 0; err == CT_OK && i < 3 && r->amounts[i] > 0; i++)
        err = ct_balance_reload(db, &b, r->amounts[i], "Demo top-up", &entry, &after, &code);
    if (err != CT_OK)
        fprintf(stderr, "seed_demo: %s balance: %s\n", r->currency, code ? code : "failed");
    return err;
}

static enum ct_err
seed_unit(struct ct_db *db, void *arg)
{
    static const char partner[] = "SELECT id FROM partner WHERE public_id = ?";
    static const char login[] = "UPDATE customer SET password_hash = ?, failed_logins = 0, "
                                "locked_until = NULL WHERE id = ?";
    static const struct ct_kyc_actor seeder = {CT_KYC_BY_SYSTEM, "comptoir-seed_demo"};
    struct seed *s = arg;
    struct ct_rows *rows = NULL;
    bool found = false, changed;
    enum ct_err err;
    size_t i;

    err = ct_db_query(db, partner, &rows, "s", s->partner);
    if (err == CT_OK && (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &s->partner_id)))
        err = CT_E_NOTFOUND;
    ct_rows_free(rows);
    if (err == CT_OK)
        err = customer_find(db, s, &found);
    if (err == CT_OK && !found) {
        s->c.partner_id = s->partner_id;
        (void)snprintf(s->c.email, sizeof(s->c.email), "%s", s->email);
        (void)snprintf(s->c.phone, sizeof(s->c.phone), "+33612345678");
        (void)snprintf(s->c.first_name, sizeof(s->c.first_name), "Camille");
        (void)snprintf(s->c.last_name, sizeof(s->c.last_name), "Durand");
        (void)snprintf(s->c.country, sizeof(s->c.country), "FR");
        (void)snprintf(s->c.birth_date, sizeof(s->c.birth_date), "1988-04-12");
        err = ct_customer_insert(db, &s->c);
    }
    if (err == CT_OK)
        err = ct_db_exec(db, login, NULL, "ss", s->hash, s->c.id);
    /* through the KYC module, so the demo customer's history says who verified it */
    if (err == CT_OK)
        err = ct_kyc_decide(db, s->partner_id, s->c.id, CT_KYC_VERIFIED, "demo customer", &seeder,
                            &changed);
    for (i = 0; err == CT_OK && i < sizeof(demo_reloads) / sizeof(demo_reloads[0]); i++)
        err = balance_seed(db, s, &demo_reloads[i]);
    return err;
}

int
main(int argc, char **argv)
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    struct seed s;
    char why[256] = "", password[160] = "";
    const char *pwfile = NULL, *msg = NULL;
    FILE *f = NULL;
    enum ct_err err;
    int i, rc = 2;

    memset(&s, 0, sizeof(s));
    for (i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--partner") == 0)
            s.partner = argv[i + 1];
        else if (strcmp(argv[i], "--email") == 0)
            s.email = argv[i + 1];
        else if (strcmp(argv[i], "--password-file") == 0)
            pwfile = argv[i + 1];
        else
            break;
    }
    if (argc < 2 || i != argc || s.partner == NULL || s.email == NULL || pwfile == NULL) {
        fprintf(stderr, "usage: comptoir-seed_demo CONF --partner PUBLIC_ID --email EMAIL "
                        "--password-file FILE\n");
        return 2;
    }
    ct_log_setup("seed_demo", LOG_WARNING);
    f = fopen(pwfile, "r");
    if (f == NULL || fgets(password, sizeof(password), f) == NULL) {
        fprintf(stderr, "seed_demo: cannot read %s\n", pwfile);
        goto out;
    }
    password[strcspn(password, "\r\n")] = '\0';
    if (!ct_password_acceptable(password, &msg)) {
        fprintf(stderr, "seed_demo: password: %s\n", msg);
        rc = 1;
        goto out;
    }
    if (ct_conf_load(argv[1], &conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "seed_demo: bad configuration: %s\n", why);
        goto out;
    }
    if (ct_password_hash(password, s.hash) != CT_OK || ct_db_open(&conf, &db) != CT_OK) {
        fprintf(stderr, "seed_demo: cannot hash the password or connect to the database\n");
        goto out;
    }
    err = ct_db_txn(db, seed_unit, &s);
    if (err == CT_OK)
        printf("customer_id=%s\n", s.c.id);
    else
        fprintf(stderr, "seed_demo: %s\n", err == CT_E_NOTFOUND ? "unknown partner" : "failed");
    rc = err == CT_OK ? 0 : err == CT_E_NOTFOUND ? 1 : 2;
out:
    if (f != NULL)
        (void)fclose(f);
    OPENSSL_cleanse(password, sizeof(password));
    ct_db_close(db);
    return rc;
}
