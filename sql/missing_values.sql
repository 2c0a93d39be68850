-- Indicators of plan ?1 with no value for year ?2, optionally of one department
-- (?3), grouped by the department that owes them, in catalog order.
SELECT d.code, d.short_name, i.code, i.name, i.unit
FROM indicator i
JOIN department d ON d.code = i.department_code
WHERE i.plan_id = ?1
  AND (?3 IS NULL OR i.department_code = ?3)
  AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.indicator_id = i.id AND o.year = ?2)
ORDER BY d.code, i.ord;
