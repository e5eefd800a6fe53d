-- Files attached to an operation (operation id = ledger_posting.id): the customer's 'document'
-- (invoice, receipt: GET|POST|DELETE /operations/{id}/document) and the bank's 'bill' for its
-- fees (GET /operations/{id}/bill). One of each per operation.
CREATE TABLE operation_document (
    posting_id  BIGINT NOT NULL,
    doc_type    ENUM('document', 'bill') NOT NULL,
    document_id BIGINT NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (posting_id, doc_type),
    UNIQUE KEY uq_operation_document_document (document_id),
    CONSTRAINT fk_opdoc_posting FOREIGN KEY (posting_id) REFERENCES ledger_posting (id),
    CONSTRAINT fk_opdoc_document FOREIGN KEY (document_id) REFERENCES document (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
