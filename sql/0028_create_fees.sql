-- Fees a partner charges its users (seed 003, "Fee management"). fee_schedule holds one row per
-- partner that has set a schedule (its version counts the replacements), fee_rule one rule per
-- partner, event and currency: a fixed amount in minor units and, for events that have an amount
-- (transfer, fx, pos, ecom, atm), a rate in basis points with a minimum and a maximum (0: none).
CREATE TABLE fee_schedule (
    partner_id  BIGINT NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_fee_schedule_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE fee_rule (
    partner_id  BIGINT NOT NULL,
    event       ENUM('account_creation', 'card_creation', 'monthly_card', 'monthly_account',
                     'transfer', 'fx', 'pos', 'ecom', 'atm') NOT NULL,
    currency    CHAR(3) NOT NULL,
    fixed       BIGINT NOT NULL DEFAULT 0,
    rate_bp     INT NOT NULL DEFAULT 0,
    min_amount  BIGINT NOT NULL DEFAULT 0,
    max_amount  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (partner_id, event, currency),
    CONSTRAINT fk_fee_rule_schedule FOREIGN KEY (partner_id) REFERENCES fee_schedule (partner_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per fee charged to a user's ledger account: 'due' while the balance could not cover it
-- (nothing moved), 'charged' once booked (entry_id). A monthly fee has its period ('YYYY-MM') and,
-- per card, the card's id: the unique key lets it be recorded once per account, card and month.
-- Other fees have period NULL, which the unique key does not compare.
CREATE TABLE fee_charge (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id  BIGINT NOT NULL,
    event       ENUM('account_creation', 'card_creation', 'monthly_card', 'monthly_account',
                     'transfer', 'fx', 'pos', 'ecom', 'atm') NOT NULL,
    account_id  BIGINT NOT NULL,
    card_id     VARCHAR(64) NOT NULL DEFAULT '',
    period      CHAR(7) NULL,
    currency    CHAR(3) NOT NULL,
    base_amount BIGINT NOT NULL DEFAULT 0,
    amount      BIGINT NOT NULL,
    fixed       BIGINT NOT NULL,
    rate_bp     INT NOT NULL,
    reference   VARCHAR(64) NULL,
    status      ENUM('due', 'charged') NOT NULL,
    entry_id    BIGINT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    charged_at  DATETIME(6) NULL,
    UNIQUE KEY uq_fee_charge_period (account_id, event, card_id, period),
    KEY ix_fee_charge_status (status, id),
    KEY ix_fee_charge_partner (partner_id, created_at, id),
    CONSTRAINT fk_fee_charge_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_fee_charge_account FOREIGN KEY (account_id) REFERENCES ledger_account (id),
    CONSTRAINT fk_fee_charge_entry FOREIGN KEY (entry_id) REFERENCES ledger_entry (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The partner's fee income per currency: ledger accounts of their own kind (not partner balance
-- shards: the credit/deposit evening out locks every account of a kind) listed in
-- partner_account under the role fee_income, 8 shards (a fee goes to the charged account's).
ALTER TABLE ledger_account
    MODIFY kind ENUM('user_balance', 'partner_credit', 'partner_deposit', 'technical',
                     'bank_internal', 'fee_income') NOT NULL;
ALTER TABLE partner_account
    MODIFY role ENUM('funding', 'credit', 'deposit', 'technical', 'fee_income') NOT NULL;
