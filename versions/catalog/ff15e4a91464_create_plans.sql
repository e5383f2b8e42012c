-- revision: ff15e4a91464
-- message: create plans

-- shoal:up
CREATE TABLE plans (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    max_projects INTEGER -- NULL means unlimited
);
INSERT INTO plans (code, name, max_projects) VALUES
    ('free', 'Free', 3),
    ('team', 'Team', 50),
    ('enterprise', 'Enterprise', NULL);

-- shoal:down
DROP TABLE plans;
