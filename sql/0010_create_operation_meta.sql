-- What the customer view of a posting (a manager.one "operation") holds beyond the ledger: a
-- category chosen by the customer, VAT detail (rate in hundredths of a percent, amount in minor
-- units) and a note. Keyed by the posting id (= the operation id); a posting without a row has
-- none of these. Attached files are in operation_document.
CREATE TABLE operation_meta (
    posting_id      BIGINT NOT NULL PRIMARY KEY,
    category        VARCHAR(32) NULL,
    comment         VARCHAR(1024) NULL,
    vat_amount      BIGINT NULL,
    vat_rate_bp     INT NULL,
    vat_category_id BIGINT NULL,
    created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_operation_meta_posting FOREIGN KEY (posting_id) REFERENCES ledger_posting (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
