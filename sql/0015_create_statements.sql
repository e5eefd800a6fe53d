-- Monthly account statements (seed 001 "Statement"): one per user balance and calendar month
-- (UTC), made by comptoir-statements. Opening and closing balances come from the ledger's running
-- balances (balance_after of the last posting before the month and before its end), so
-- opening_balance + total_credit - total_debit = closing_balance to the cent. The PDF and the
-- camt.053 files live under files_dir/statements/ (generated names); their SHA-256 is kept here.
CREATE TABLE statement (
    id              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id      BIGINT NOT NULL,
    balance_id      CHAR(36) NOT NULL,
    account_id      BIGINT NOT NULL,
    year            SMALLINT NOT NULL,
    month           TINYINT NOT NULL,
    currency        CHAR(3) NOT NULL,
    opening_balance BIGINT NOT NULL,
    closing_balance BIGINT NOT NULL,
    total_credit    BIGINT NOT NULL,
    total_debit     BIGINT NOT NULL,
    credit_count    INT NOT NULL,
    debit_count     INT NOT NULL,
    generated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    pdf_sha256      CHAR(64) NULL,
    camt_sha256     CHAR(64) NULL,
    UNIQUE KEY uq_statement_account_month (account_id, year, month),
    KEY ix_statement_balance (balance_id, year, month),
    KEY ix_statement_partner (partner_id, year, month),
    CONSTRAINT fk_statement_balance FOREIGN KEY (balance_id) REFERENCES balance (id),
    CONSTRAINT fk_statement_account FOREIGN KEY (account_id) REFERENCES ledger_account (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
