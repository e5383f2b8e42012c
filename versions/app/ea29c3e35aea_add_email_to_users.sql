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
