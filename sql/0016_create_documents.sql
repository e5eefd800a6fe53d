-- Documents customers upload (seed 001 "Document"): the bytes live in files_dir/documents/ under
-- storage_name, a generated UUID (never the client's name); filename is metadata only, already
-- sanitized. mime_type is the type sniffed from the content (PDF, PNG or JPEG).
CREATE TABLE document (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id   BIGINT NOT NULL,
    customer_id  CHAR(36) NOT NULL,
    type         VARCHAR(16) NOT NULL DEFAULT 'document',
    filename     VARCHAR(255) NOT NULL,
    mime_type    VARCHAR(64) NOT NULL,
    size         BIGINT NOT NULL,
    sha256       CHAR(64) NOT NULL,
    storage_name CHAR(36) NOT NULL,
    created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_document_storage (storage_name),
    KEY ix_document_owner (partner_id, customer_id, id),
    CONSTRAINT fk_document_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
