-- OAuth token families: the access and refresh tokens issued by one authorization-code exchange
-- and every rotation after it share oauth_token.family_id. code_hash names the code the family
-- came from, so a replayed code finds (and revokes) the tokens of its first exchange.
CREATE TABLE oauth_family (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    grant_id    BIGINT NOT NULL,
    code_hash   BINARY(32) NOT NULL,
    created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    revoked_at  DATETIME(6) NULL,
    UNIQUE KEY uq_oauth_family_code (code_hash),
    CONSTRAINT fk_oauth_family_grant FOREIGN KEY (grant_id) REFERENCES oauth_grant (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
