-- revision: f1ff23e8d167
-- parents: 4731b06509a0
-- message: index active projects by owner

-- shoal:up
CREATE INDEX projects_active_by_owner ON projects (owner_id) WHERE archived = 0;

-- shoal:down
DROP INDEX projects_active_by_owner;
