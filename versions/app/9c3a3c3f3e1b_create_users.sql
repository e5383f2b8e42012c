-- revision: 9c3a3c3f3e1b
-- message: create users

-- shoal:up
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- shoal:down
DROP TABLE users;
