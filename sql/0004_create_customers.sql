-- A partner's end users and their balances (user balance = a ledger account with an IBAN).
CREATE TABLE customer (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    partner_id  BIGINT NOT NULL,
    email       VARCHAR(254) NOT NULL,
    phone       VARCHAR(20) NOT NULL,
    first_name  VARCHAR(100) NOT NULL,
    last_name   VARCHAR(100) NOT NULL,
    country     CHAR(2) NOT NULL,
    birth_date  DATE NOT NULL,
    kyc_status  ENUM('NONE', 'PENDING', 'VERIFIED', 'REJECTED') NOT NULL DEFAULT 'NONE',
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_customer_partner_email (partner_id, email),
    KEY ix_customer_partner_created (partner_id, created_at),
    CONSTRAINT fk_customer_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE balance (
    id           CHAR(36) NOT NULL PRIMARY KEY,
    partner_id   BIGINT NOT NULL,
    customer_id  CHAR(36) NOT NULL,
    account_id   BIGINT NOT NULL,
    currency     CHAR(3) NOT NULL,
    iban         VARCHAR(34) NOT NULL,
    base_iban_id BIGINT NOT NULL,
    iban_seq     BIGINT NOT NULL,
    status       ENUM('active', 'blocked', 'closed') NOT NULL DEFAULT 'active',
    created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_balance_iban (iban),
    UNIQUE KEY uq_balance_account (account_id),
    UNIQUE KEY uq_balance_base_seq (base_iban_id, iban_seq),
    KEY ix_balance_customer (customer_id),
    KEY ix_balance_partner_created (partner_id, created_at, id),
    CONSTRAINT fk_balance_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_balance_customer FOREIGN KEY (customer_id) REFERENCES customer (id),
    CONSTRAINT fk_balance_account FOREIGN KEY (account_id) REFERENCES ledger_account (id),
    CONSTRAINT fk_balance_base FOREIGN KEY (base_iban_id) REFERENCES base_iban (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
