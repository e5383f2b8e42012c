-- revision: f7910c43f290
-- parents: 2eeb8f410e32
-- message: add project slugs

-- shoal:up
ALTER TABLE projects ADD COLUMN slug TEXT;
-- Backfill existing rows: "Q3 Launch Plan" becomes "q3-launch-plan".
UPDATE projects SET slug = lower(replace(trim(name), ' ', '-'));

-- shoal:down
ALTER TABLE projects DROP COLUMN slug;

-- shoal:verify
SELECT count(*) = 0 FROM projects WHERE slug IS NULL OR slug = '';
