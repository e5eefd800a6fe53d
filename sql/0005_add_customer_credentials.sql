-- Customers who log in themselves (customer channel, OAuth consent): an argon2id password hash,
-- and what the login rate limit per account needs.
ALTER TABLE customer
    ADD COLUMN password_hash VARCHAR(255) NULL AFTER kyc_status,
    ADD COLUMN failed_logins INT NOT NULL DEFAULT 0 AFTER password_hash,
    ADD COLUMN locked_until DATETIME(6) NULL AFTER failed_logins,
    ADD COLUMN last_login_at DATETIME(6) NULL AFTER locked_until;
