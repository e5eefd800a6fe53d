-- Trusted third parties (seed 000): a balance's owner declares another customer of the same
-- partner, who then sees the account. Removal is a delete and takes effect on the next request.
CREATE TABLE balance_third_party (
    balance_id  CHAR(36) NOT NULL,
    customer_id CHAR(36) NOT NULL,
    granted_by  CHAR(36) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (balance_id, customer_id),
    KEY ix_balance_third_party_customer (customer_id),
    CONSTRAINT fk_btp_balance FOREIGN KEY (balance_id) REFERENCES balance (id),
    CONSTRAINT fk_btp_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
