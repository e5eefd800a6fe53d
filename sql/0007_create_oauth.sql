-- OAuth 2.0 authorization server (RFC 6749 with RFC 9700 hardening). Secrets, codes and tokens
-- are stored as hashes only.
CREATE TABLE oauth_client (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id   VARCHAR(80) NOT NULL,
    partner_id  BIGINT NOT NULL,
    name        VARCHAR(128) NOT NULL,
    secret_hash VARCHAR(255) NOT NULL,
    status      ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY uq_oauth_client_client_id (client_id),
    CONSTRAINT fk_oauth_client_partner FOREIGN KEY (partner_id) REFERENCES partner (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Redirect URIs are compared by exact string match.
CREATE TABLE oauth_redirect_uri (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id   BIGINT NOT NULL,
    uri         VARCHAR(1024) NOT NULL,
    uri_hash    BINARY(32) NOT NULL,
    UNIQUE KEY uq_oauth_redirect_uri (client_id, uri_hash),
    CONSTRAINT fk_oauth_redirect_uri_client FOREIGN KEY (client_id) REFERENCES oauth_client (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A customer's consent to a client (the grant). Revoking it ends every token issued under it.
CREATE TABLE oauth_grant (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    partner_id  BIGINT NOT NULL,
    client_id   BIGINT NOT NULL,
    customer_id CHAR(36) NOT NULL,
    scope       VARCHAR(255) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    revoked_at  DATETIME(6) NULL,
    KEY ix_oauth_grant_customer (customer_id, client_id),
    CONSTRAINT fk_oauth_grant_client FOREIGN KEY (client_id) REFERENCES oauth_client (id),
    CONSTRAINT fk_oauth_grant_customer FOREIGN KEY (customer_id) REFERENCES customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Authorization codes: single use, short-lived, bound to client, redirect_uri and PKCE challenge.
CREATE TABLE oauth_code (
    code_hash       BINARY(32) NOT NULL PRIMARY KEY,
    grant_id        BIGINT NOT NULL,
    client_id       BIGINT NOT NULL,
    redirect_uri    VARCHAR(1024) NOT NULL,
    code_challenge  VARCHAR(128) NULL,
    expires_at      DATETIME(6) NOT NULL,
    used_at         DATETIME(6) NULL,
    created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    CONSTRAINT fk_oauth_code_grant FOREIGN KEY (grant_id) REFERENCES oauth_grant (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Access and refresh tokens. family_id groups a refresh token with every token rotated from it:
-- reuse of a rotated refresh token revokes the family.
CREATE TABLE oauth_token (
    token_hash  BINARY(32) NOT NULL PRIMARY KEY,
    kind        ENUM('access', 'refresh') NOT NULL,
    grant_id    BIGINT NOT NULL,
    family_id   BIGINT NOT NULL,
    client_id   BIGINT NOT NULL,
    partner_id  BIGINT NOT NULL,
    customer_id CHAR(36) NOT NULL,
    scope       VARCHAR(255) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at  DATETIME(6) NOT NULL,
    used_at     DATETIME(6) NULL,
    revoked_at  DATETIME(6) NULL,
    KEY ix_oauth_token_family (family_id),
    KEY ix_oauth_token_grant (grant_id),
    CONSTRAINT fk_oauth_token_grant FOREIGN KEY (grant_id) REFERENCES oauth_grant (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
