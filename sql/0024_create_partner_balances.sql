-- Partner balances (seed 003): the credit balance a partner's user reloads are charged to, the
-- deposit balance card payments will be charged to, and the technical balance that takes money
-- no user balance can (unknown IBANs of transaction files). One row per partner, type and
-- currency gives the public id; the money is in ledger accounts listed in partner_account under
-- the same role: 16 shards for credit and deposit (reloads of different users must not all queue
-- on one row lock), one for technical.
CREATE TABLE partner_balance (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    partner_id  BIGINT NOT NULL,
    type        ENUM('credit', 'deposit', 'technical') NOT NULL,
    currency    CHAR(3) NOT NULL,
    shards      SMALLINT NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_partner_balance (partner_id, type, currency),
    CONSTRAINT fk_partner_balance_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE partner_account
    MODIFY role ENUM('funding', 'credit', 'deposit', 'technical') NOT NULL;
