-- revision: 2eeb8f410e32
-- parents: ea29c3e35aea f1ff23e8d167
-- message: merge email and project index branches

-- shoal:up

-- shoal:down
