-- Cards (seed 003, issue 4 item 4): the card processors and their client certificates, the
-- partners' card programs (a BIN range each), the cards and every change of their state.
-- What is never here: a clear PAN, a CVC2 (computed on demand), a clear PIN or PIN block
-- (docs/middleware.md, "Card data"; docs/cards.md).

-- A card processor, identified like a partner by the SHA-256 of its DER client certificate
-- (issued by the processor CA; tools/pki register --processor).
CREATE TABLE processor (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id   CHAR(36) NOT NULL,
    name        VARCHAR(128) NOT NULL,
    status      ENUM('active', 'suspended') NOT NULL DEFAULT 'active',
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_processor_public (public_id),
    UNIQUE KEY uq_processor_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE processor_cert (
    id                  BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    processor_id        BIGINT NOT NULL,
    cn                  VARCHAR(255) NOT NULL,
    subject_dn          VARCHAR(1024) NOT NULL,
    serial              VARCHAR(64) NOT NULL,
    fingerprint_sha256  CHAR(64) NOT NULL,
    not_after           DATETIME NOT NULL,
    status              ENUM('active', 'revoked') NOT NULL DEFAULT 'active',
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_processor_cert_fp (fingerprint_sha256),
    KEY ix_processor_cert_processor (processor_id),
    CONSTRAINT fk_processor_cert_processor FOREIGN KEY (processor_id) REFERENCES processor (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A partner's card program: its BIN (6 or 8 digits), PAN length, card lifetime and processor.
-- is_default is 1 on the partner's default program and NULL on the others (the unique key
-- allows one default per partner).
CREATE TABLE card_program (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id      CHAR(36) NOT NULL,
    partner_id     BIGINT NOT NULL,
    processor_id   BIGINT NULL,
    name           VARCHAR(128) NOT NULL,
    bin            VARCHAR(8) NOT NULL,
    pan_length     TINYINT UNSIGNED NOT NULL DEFAULT 16,
    expiry_months  SMALLINT UNSIGNED NOT NULL DEFAULT 36,
    is_default     TINYINT(1) NULL,
    status         ENUM('active', 'closed') NOT NULL DEFAULT 'active',
    created_at     DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_card_program_public (public_id),
    UNIQUE KEY uq_card_program_name (partner_id, name),
    UNIQUE KEY uq_card_program_default (partner_id, is_default),
    CONSTRAINT ck_card_program_default CHECK (is_default IS NULL OR is_default = 1),
    CONSTRAINT ck_card_program_len CHECK (pan_length BETWEEN 13 AND 19),
    CONSTRAINT fk_card_program_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_card_program_processor FOREIGN KEY (processor_id) REFERENCES processor (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A card. status is where it is in its life (fcgi/lib/card.c): a virtual card is ACTIVE from its
-- creation; a physical one is ORDERED, INACTIVE once the processor links it (its PAN exists from
-- then on), ACTIVE once activated; REMOVED is final. A lock is a flag beside the status
-- (lock_reason 1-8, seed 003): unlocking returns the card to its status. The PAN is sealed
-- (pan_sealed, AES-256-GCM under key pan_key_id, bound to the card id and partner), found by its
-- keyed hash (pan_lookup) and shown by its last four digits. pin_sealed is an ISO 9564 format 4
-- PIN block under the pin key; cvv_generation counts CVV resets (the CVC2 is computed from it).
CREATE TABLE card (
    id               CHAR(36) NOT NULL PRIMARY KEY,
    partner_id       BIGINT NOT NULL,
    customer_id      CHAR(36) NOT NULL,
    balance_id       CHAR(36) NOT NULL,
    program_id       BIGINT NOT NULL,
    type             ENUM('VIRTUAL', 'PHYSICAL') NOT NULL,
    status           ENUM('ORDERED', 'INACTIVE', 'ACTIVE', 'REMOVED') NOT NULL,
    lock_reason      TINYINT UNSIGNED NULL,
    bin              VARCHAR(8) NOT NULL,
    pan_sealed       VARCHAR(107) NULL,
    pan_key_id       SMALLINT UNSIGNED NULL,
    pan_lookup       CHAR(64) NULL,
    last4            CHAR(4) NULL,
    expiry           CHAR(4) NULL,
    cvv_generation   SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    pin_sealed       VARCHAR(43) NULL,
    cardholder_name  VARCHAR(26) NOT NULL,
    delivery_line1   VARCHAR(100) NULL,
    delivery_line2   VARCHAR(100) NULL,
    delivery_city    VARCHAR(64) NULL,
    delivery_postal_code VARCHAR(16) NULL,
    delivery_country CHAR(2) NULL,
    reference        CHAR(36) NULL,
    tracking_number  VARCHAR(64) NULL,
    personalisation_due DATETIME(6) NULL,
    created_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_card_pan_lookup (pan_lookup),
    UNIQUE KEY uq_card_reference (reference),
    KEY ix_card_customer (partner_id, customer_id, created_at),
    KEY ix_card_balance (balance_id),
    CONSTRAINT ck_card_lock CHECK (lock_reason IS NULL OR lock_reason BETWEEN 1 AND 8),
    CONSTRAINT fk_card_partner FOREIGN KEY (partner_id) REFERENCES partner (id),
    CONSTRAINT fk_card_customer FOREIGN KEY (customer_id) REFERENCES customer (id),
    CONSTRAINT fk_card_balance FOREIGN KEY (balance_id) REFERENCES balance (id),
    CONSTRAINT fk_card_program FOREIGN KEY (program_id) REFERENCES card_program (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every change of a card: what happened (event), the status and lock reason before and after,
-- through which channel and by whom. The 48-hour personalisation of a physical card is the
-- ORDERED event's due time (card.personalisation_due) and ends with the processor's LINKED event.
CREATE TABLE card_event (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    card_id      CHAR(36) NOT NULL,
    event        ENUM('CREATED', 'ORDERED', 'LINKED', 'ACTIVATED', 'LOCKED', 'UNLOCKED',
                      'REMOVED', 'PIN_SET', 'CVV_RESET') NOT NULL,
    from_status  VARCHAR(10) NULL,
    to_status    VARCHAR(10) NOT NULL,
    lock_reason  TINYINT UNSIGNED NULL,
    channel      ENUM('CUSTOMER', 'PARTNER', 'OPERATOR', 'PROCESSOR', 'SYSTEM') NOT NULL,
    actor        VARCHAR(256) NOT NULL,
    created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_card_event_card (card_id, id),
    CONSTRAINT fk_card_event_card FOREIGN KEY (card_id) REFERENCES card (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
