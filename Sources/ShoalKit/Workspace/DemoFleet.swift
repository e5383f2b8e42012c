/// The demo fleet: a catalog database and a multi-tenant app on SQLite,
/// runnable with no server.
///
/// The repository root holds the same files, so that `swift run shoal upgrade`
/// in a fresh clone migrates it; `DemoFleetTests` keeps the two identical.
/// The app's revisions branch after `create projects` and merge again, to show
/// the revision graph at work:
///
/// ```
/// shoal init demo && cd demo && shoal upgrade && shoal status
/// ```
public enum DemoFleet {
    /// Every file of the demo fleet as a path relative to the fleet's directory
    /// and its contents, in the order `shoal init` writes them.
    public static let files: [(path: String, contents: String)] = [
        (path: "config.json", contents: #"""
            {
              "concurrency": 4,
              "lint": "refuse",
              "databases": {
                "catalog": {
                  "driver": "sqlite",
                  "path": "data/catalog.sqlite"
                },
                "app": {
                  "driver": "sqlite",
                  "after": ["catalog"],
                  "path": "tenants/app/{tenant}.sqlite",
                  "tenants": "tenants/app.json"
                }
              }
            }

            """#),
        (path: "tenants/app.json", contents: #"""
            ["acme", "globex", "initech", "umbrella", "hooli"]

            """#),
        (path: ".gitignore", contents: #"""
            # What shoal writes as it runs: the databases and the run journals.
            /data/
            /tenants/app/
            /.shoal/

            """#),
        (path: "versions/app/2eeb8f410e32_merge_email_and_project_index.sql", contents: #"""
            -- revision: 2eeb8f410e32
            -- parents: ea29c3e35aea f1ff23e8d167
            -- message: merge email and project index branches

            -- shoal:up

            -- shoal:down

            """#),
        (path: "versions/app/4731b06509a0_create_projects.sql", contents: #"""
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

            """#),
        (path: "versions/app/9c3a3c3f3e1b_create_users.sql", contents: #"""
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

            """#),
        (path: "versions/app/ea29c3e35aea_add_email_to_users.sql", contents: #"""
            -- revision: ea29c3e35aea
            -- parents: 4731b06509a0
            -- message: add email to users

            -- shoal:up
            ALTER TABLE users ADD COLUMN email TEXT;
            CREATE UNIQUE INDEX users_email ON users (email);

            -- shoal:down
            -- SQLite will not drop an indexed column: the index goes first.
            DROP INDEX users_email;
            ALTER TABLE users DROP COLUMN email;

            -- shoal:verify
            SELECT count(*) = 0 FROM users WHERE email LIKE '% %';

            """#),
        (path: "versions/app/f1ff23e8d167_index_active_projects.sql", contents: #"""
            -- revision: f1ff23e8d167
            -- parents: 4731b06509a0
            -- message: index active projects by owner

            -- shoal:up
            CREATE INDEX projects_active_by_owner ON projects (owner_id) WHERE archived = 0;

            -- shoal:down
            DROP INDEX projects_active_by_owner;

            """#),
        (path: "versions/app/f7910c43f290_add_project_slugs.sql", contents: #"""
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

            """#),
        (path: "versions/app/d0ee624f2b05_index_projects_by_slug.sql", contents: #"""
            -- revision: d0ee624f2b05
            -- parents: f7910c43f290
            -- message: index projects by slug

            -- shoal:up
            -- Project pages are looked up by slug (/projects/q3-launch-plan).
            CREATE INDEX projects_by_slug ON projects (slug);

            -- shoal:down
            DROP INDEX projects_by_slug;

            """#),
        (path: "versions/catalog/ff15e4a91464_create_plans.sql", contents: #"""
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

            """#),
        (path: "versions/catalog/ffc55b332f6e_add_plan_prices.sql", contents: #"""
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

            """#),
    ]
}
