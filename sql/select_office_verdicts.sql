-- The office's verdicts; the caller appends `WHERE i.plan_id = ?1` for one plan.
SELECT v.indicator_id, v.year, v.status, v.reason, v.recorded_by, v.recorded_at
FROM office_verdict v JOIN indicator i ON i.id = v.indicator_id
