WITH RECURSIVE down(code, depth) AS (
    SELECT code, 0 FROM courts WHERE code = $1
    UNION ALL
    SELECT c.code, down.depth + 1 FROM courts c JOIN down ON c.parent_code = down.code
    WHERE down.depth < 16)
SELECT c.code, c.name, c.province FROM courts c JOIN down USING (code)
WHERE $2::text IS NULL OR c.province = $2 ORDER BY c.code
