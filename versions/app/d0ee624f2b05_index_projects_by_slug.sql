-- revision: d0ee624f2b05
-- parents: f7910c43f290
-- message: index projects by slug

-- shoal:up
-- Project pages are looked up by slug (/projects/q3-launch-plan).
CREATE INDEX projects_by_slug ON projects (slug);

-- shoal:down
DROP INDEX projects_by_slug;
