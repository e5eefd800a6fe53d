-- The admin channel's operators: people of a partner who use the admin panel, each with one role
-- (EMPLOYEE, MANAGER, ADMIN). Passwords are argon2id hashes; failed_logins and locked_until carry
-- the same per-account lockout as customer logins (fcgi/lib/login.c). An email names one
-- operator on the whole platform: the panel's login form asks for no partner.
CREATE TABLE operator (
    id            CHAR(36) NOT NULL PRIMARY KEY,
    partner_id    BIGINT NOT NULL,
    email         VARCHAR(254) NOT NULL,
    name          VARCHAR(200) NOT NULL DEFAULT '',
    role          ENUM('EMPLOYEE', 'MANAGER', 'ADMIN') NOT NULL,
    status        ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
    password_hash VARCHAR(255) NOT NULL,
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until  DATETIME(6) NULL,
    last_login_at DATETIME(6) NULL,
    created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_operator_email (email),
    KEY ix_operator_partner (partner_id, created_at),
    CONSTRAINT fk_operator_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Operator sessions, as customer_session: only the SHA-256 of the token, a sliding expiry.
CREATE TABLE operator_session (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    token_hash  BINARY(32) NOT NULL,
    partner_id  BIGINT NOT NULL,
    operator_id CHAR(36) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at  DATETIME(6) NOT NULL,
    ended_at    DATETIME(6) NULL,
    UNIQUE KEY uq_operator_session_token (token_hash),
    KEY ix_operator_session_operator (operator_id),
    CONSTRAINT fk_operator_session_operator FOREIGN KEY (operator_id) REFERENCES operator (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The origins (https://host[:port]) a partner's admin panel is served from: an admin request
-- (the login included) whose Origin header is not one of its partner's is refused with 403.
CREATE TABLE admin_origin (
    partner_id  BIGINT NOT NULL,
    origin      VARCHAR(255) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (partner_id, origin),
    CONSTRAINT fk_admin_origin_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
