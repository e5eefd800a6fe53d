-- The double-entry ledger: accounts (with cached balance and held), journal entries, their
-- postings (with the running balance after each), and holds. Money is BIGINT minor units.
CREATE TABLE ledger_account (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id  BIGINT NOT NULL DEFAULT 0,
    kind        ENUM('user_balance', 'partner_credit', 'partner_deposit', 'technical',
                     'bank_internal') NOT NULL,
    currency    CHAR(3) NOT NULL,
    balance     BIGINT NOT NULL DEFAULT 0,
    held        BIGINT NOT NULL DEFAULT 0,
    overdraft   BIGINT NOT NULL DEFAULT 0,
    unbounded   TINYINT NOT NULL DEFAULT 0,
    status      ENUM('active', 'closed') NOT NULL DEFAULT 'active',
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_ledger_account_partner (partner_id, kind, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One journal entry per money movement; its postings sum to zero in `currency`.
CREATE TABLE ledger_entry (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id  BIGINT NOT NULL DEFAULT 0,
    kind        VARCHAR(32) NOT NULL,
    description VARCHAR(255) NULL,
    currency    CHAR(3) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_ledger_entry_partner_created (partner_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per leg; balance_after is the account's balance right after this posting, so the
-- balance at time T is one indexed lookup (account_id, booked_at <= T, last).
CREATE TABLE ledger_posting (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    entry_id      BIGINT NOT NULL,
    account_id    BIGINT NOT NULL,
    amount        BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    booked_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_ledger_posting_account_booked (account_id, booked_at, id),
    KEY ix_ledger_posting_entry (entry_id),
    CONSTRAINT fk_ledger_posting_entry FOREIGN KEY (entry_id) REFERENCES ledger_entry (id),
    CONSTRAINT fk_ledger_posting_account FOREIGN KEY (account_id) REFERENCES ledger_account (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Holds reduce `available` while active; captured ones point at the entry that booked them.
CREATE TABLE ledger_hold (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    status      ENUM('active', 'captured', 'released', 'expired') NOT NULL DEFAULT 'active',
    reference   VARCHAR(255) NULL,
    entry_id    BIGINT NULL,
    expires_at  DATETIME(6) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    closed_at   DATETIME(6) NULL,
    KEY ix_ledger_hold_expiry (status, expires_at, id),
    KEY ix_ledger_hold_account (account_id, status),
    CONSTRAINT fk_ledger_hold_account FOREIGN KEY (account_id) REFERENCES ledger_account (id),
    CONSTRAINT fk_ledger_hold_entry FOREIGN KEY (entry_id) REFERENCES ledger_entry (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
