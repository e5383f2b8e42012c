-- revision: ffc55b332f6e
-- parents: ff15e4a91464
-- message: add plan prices

-- shoal:up
ALTER TABLE plans ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0);
UPDATE plans SET price_cents = 2900 WHERE code = 'team';
UPDATE plans SET price_cents = 9900 WHERE code = 'enterprise';

-- shoal:down
ALTER TABLE plans DROP COLUMN price_cents;

-- shoal:verify
SELECT price_cents = 0 FROM plans WHERE code = 'free';
