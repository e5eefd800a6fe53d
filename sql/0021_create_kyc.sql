-- KYC (seed 003 "User registration & KYC"): the data a customer or partner submits for
-- verification, and the history of every kyc_status change of a customer. customer.kyc_status is
-- the current status; it changes only in the transaction that appends its kyc_event row, with a
-- conditional UPDATE on the status it changes from, so the last event's to_status always equals it.
CREATE TABLE kyc_submission (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id       BIGINT NOT NULL,
    customer_id      CHAR(36) NOT NULL,
    channel          ENUM('customer', 'partner', 'admin', 'system') NOT NULL,
    actor            VARCHAR(255) NOT NULL,
    document_type    ENUM('PASSPORT', 'ID_CARD', 'DRIVING_LICENCE', 'RESIDENCE_PERMIT') NOT NULL,
    document_number  VARCHAR(30) NOT NULL,
    document_country CHAR(2) NOT NULL,
    document_expiry  DATE NOT NULL,
    nationality      CHAR(2) NOT NULL,
    address_line1    VARCHAR(100) NOT NULL,
    address_line2    VARCHAR(100) NULL,
    city             VARCHAR(100) NOT NULL,
    postal_code      VARCHAR(10) NULL,
    country          CHAR(2) NOT NULL,
    created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_kyc_submission_customer (customer_id, id),
    CONSTRAINT fk_kyc_submission_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_kyc_submission_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per change: who (channel + actor: the customer id, the partner's public id, the
-- operator id, or the tool's name), why (reason, free text) and, for a move to PENDING, the
-- submission it came with.
CREATE TABLE kyc_event (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id    BIGINT NOT NULL,
    customer_id   CHAR(36) NOT NULL,
    from_status   ENUM('NONE', 'PENDING', 'VERIFIED', 'REJECTED') NOT NULL,
    to_status     ENUM('NONE', 'PENDING', 'VERIFIED', 'REJECTED') NOT NULL,
    channel       ENUM('customer', 'partner', 'admin', 'system') NOT NULL,
    actor         VARCHAR(255) NOT NULL,
    reason        VARCHAR(255) NULL,
    submission_id BIGINT NULL,
    created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_kyc_event_customer (customer_id, id),
    CONSTRAINT fk_kyc_event_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_kyc_event_customer FOREIGN KEY (customer_id) REFERENCES customer (id),
    CONSTRAINT fk_kyc_event_submission FOREIGN KEY (submission_id) REFERENCES kyc_submission (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
