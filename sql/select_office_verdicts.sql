-- The office's verdicts of one plan (?1), or of every plan when ?1 is NULL.
SELECT v.indicator_id, v.year, v.status, v.reason, v.recorded_by, v.recorded_at
FROM office_verdict v JOIN indicator i ON i.id = v.indicator_id
WHERE ?1 IS NULL OR i.plan_id = ?1
