-- Holds of one account by creation time: the upcoming operations (active holds) and the amount
-- held at a past time T (holds created at or before T and not closed by T).
ALTER TABLE ledger_hold ADD KEY ix_ledger_hold_account_created (account_id, created_at, id);
