-- Partners (tenants), the client certificates that identify them, and their base IBANs.
CREATE TABLE partner (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id   CHAR(36) NOT NULL,
    name        VARCHAR(128) NOT NULL,
    status      ENUM('active', 'suspended') NOT NULL DEFAULT 'active',
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_partner_public (public_id),
    UNIQUE KEY uq_partner_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A partner is identified by the SHA-256 fingerprint of the DER certificate nginx verified,
-- never by its CN alone (a CN can be asked for by anyone who gets a CSR signed).
CREATE TABLE partner_cert (
    id                  BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id          BIGINT NOT NULL,
    cn                  VARCHAR(255) NOT NULL,
    subject_dn          VARCHAR(1024) NOT NULL,
    serial              VARCHAR(64) NOT NULL,
    fingerprint_sha256  CHAR(64) NOT NULL,
    not_after           DATETIME NOT NULL,
    status              ENUM('active', 'revoked') NOT NULL DEFAULT 'active',
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_partner_cert_fp (fingerprint_sha256),
    KEY ix_partner_cert_partner (partner_id),
    CONSTRAINT fk_partner_cert_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One base IBAN per partner and currency; balances get IBANs generated from it with an
-- account sequence taken atomically from next_seq.
CREATE TABLE base_iban (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id  BIGINT NOT NULL,
    currency    CHAR(3) NOT NULL,
    base_iban   VARCHAR(34) NOT NULL,
    prefix_len  INT NOT NULL DEFAULT 0,
    bic         VARCHAR(11) NOT NULL,
    next_seq    BIGINT NOT NULL DEFAULT 1,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_base_iban_partner_currency (partner_id, currency),
    CONSTRAINT fk_base_iban_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The partner's own ledger accounts per currency. 'funding' is where user reloads come from; it
-- is split into shards (one ledger account each) so that concurrent reloads of different balances
-- do not all queue on one hot row: a balance always draws on the shard of its account id.
CREATE TABLE partner_account (
    partner_id  BIGINT NOT NULL,
    currency    CHAR(3) NOT NULL,
    role        ENUM('funding', 'credit', 'deposit') NOT NULL,
    shard       SMALLINT NOT NULL DEFAULT 0,
    account_id  BIGINT NOT NULL,
    PRIMARY KEY (partner_id, currency, role, shard),
    UNIQUE KEY uq_partner_account_account (account_id),
    CONSTRAINT fk_partner_account_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_partner_account_ledger FOREIGN KEY (account_id) REFERENCES ledger_account (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
