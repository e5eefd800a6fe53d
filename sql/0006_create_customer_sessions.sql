-- Customer sessions: only the SHA-256 of the 256-bit token is stored. expires_at slides forward
-- while the session is used; ended_at is set by logout.
CREATE TABLE customer_session (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    token_hash  BINARY(32) NOT NULL,
    partner_id  BIGINT NOT NULL,
    customer_id CHAR(36) NOT NULL,
    device_id   VARCHAR(128) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at  DATETIME(6) NOT NULL,
    ended_at    DATETIME(6) NULL,
    UNIQUE KEY uq_customer_session_token (token_hash),
    KEY ix_customer_session_customer (customer_id),
    CONSTRAINT fk_customer_session_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Devices a customer has paired by logging in from them.
CREATE TABLE customer_device (
    customer_id CHAR(36) NOT NULL,
    device_id   VARCHAR(128) NOT NULL,
    paired_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_seen_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (customer_id, device_id),
    CONSTRAINT fk_customer_device_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
