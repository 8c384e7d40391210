WITH RECURSIVE up(code, parent_code, depth) AS (
    SELECT code, parent_code, 0 FROM courts WHERE code = $1
    UNION ALL
    SELECT c.code, c.parent_code, up.depth + 1 FROM courts c JOIN up ON c.code = up.parent_code
    WHERE up.depth < 16)
SELECT code FROM up ORDER BY depth
