-- Every admin action: each request of the admin channel once the operator is known (a refusal
-- included) and each login attempt, with what was asked and what was answered. Written by the
-- dispatcher after the reply is decided, in its own transaction, so a failed action is recorded
-- too. Rows are only ever inserted: no code path updates or deletes them. operator_id and
-- partner_id are NULL for a login with an unknown email. action and target name what a handler
-- singles out (IBAN_REVEAL and the balance id).
CREATE TABLE admin_audit (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    operator_id CHAR(36) NULL,
    partner_id  BIGINT NULL,
    role        VARCHAR(16) NULL,
    method      VARCHAR(8) NOT NULL,
    path        VARCHAR(255) NOT NULL,
    status      SMALLINT NOT NULL,
    request_id  VARCHAR(64) NOT NULL,
    action      VARCHAR(32) NULL,
    target      VARCHAR(64) NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ix_admin_audit_partner (partner_id, created_at),
    KEY ix_admin_audit_operator (operator_id, created_at),
    KEY ix_admin_audit_request (request_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
