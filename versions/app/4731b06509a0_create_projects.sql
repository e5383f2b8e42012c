-- revision: 4731b06509a0
-- parents: 9c3a3c3f3e1b
-- message: create projects

-- shoal:up
CREATE TABLE projects (
    id       INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    UNIQUE (owner_id, name)
);

-- shoal:down
DROP TABLE projects;
