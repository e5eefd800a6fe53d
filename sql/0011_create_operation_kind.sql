-- How a ledger entry kind shows to the customer: AFB code and category (seed 001 enums) per
-- direction. A kind missing here is a generic operation (AFB 91, category "other"). A hold's
-- kind is its reference up to the first ':' ("card:...").
CREATE TABLE operation_kind (
    kind        VARCHAR(32) NOT NULL,
    type        ENUM('credit', 'debit') NOT NULL,
    afb_code    INT NOT NULL,
    category    VARCHAR(32) NOT NULL,
    PRIMARY KEY (kind, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO operation_kind (kind, type, afb_code, category) VALUES
    ('reload', 'credit', 5, 'other'),
    ('reload', 'debit', 6, 'other'),
    ('transfer', 'credit', 5, 'other'),
    ('transfer', 'debit', 6, 'other'),
    ('transfer_in', 'credit', 5, 'other'),
    ('transfer_out', 'debit', 6, 'other'),
    ('sepa_credit', 'credit', 5, 'other'),
    ('sepa_credit', 'debit', 6, 'other'),
    ('mojaloop', 'credit', 5, 'other'),
    ('mojaloop', 'debit', 6, 'other'),
    ('transfer_rejected', 'credit', 12, 'other'),
    ('transfer_rejected', 'debit', 12, 'other'),
    ('direct_debit', 'debit', 8, 'prelevement'),
    ('direct_debit', 'credit', 8, 'refund'),
    ('card', 'debit', 11, 'credit_card'),
    ('card', 'credit', 11, 'refund'),
    ('card_refund', 'credit', 11, 'refund'),
    ('atm', 'debit', 29, 'redraw_atm'),
    ('fee', 'debit', 33, 'fees'),
    ('fee', 'credit', 33, 'refund'),
    ('check_deposit', 'credit', 2, 'deposit_check'),
    ('check_payment', 'debit', 1, 'payment_check'),
    ('cash_deposit', 'credit', 4, 'deposit_cash'),
    ('refund', 'credit', 91, 'refund');
