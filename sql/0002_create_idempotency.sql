-- Idempotency keys: claimed (INSERT) first in the unit of work that moves money, answered in
-- the same transaction, so a rolled-back attempt leaves no row behind.
CREATE TABLE idempotency_key (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scope        VARCHAR(64) NOT NULL,
    idem_key     VARCHAR(255) NOT NULL,
    request_hash BINARY(32) NOT NULL,
    status_code  INT NULL,
    response     MEDIUMTEXT NULL,
    created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_idempotency_scope_key (scope, idem_key),
    KEY ix_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
