-- The history of one indicator (plan ?1, code ?2), oldest change first.
SELECT h.changed_at, h.action, h.year, h.old_value, h.new_value, h.old_status, h.new_status,
       h.changed_by, h.department_code, h.reason, h.import_batch
FROM observation_history h
JOIN indicator i ON i.id = h.indicator_id
WHERE i.plan_id = ?1 AND i.code = ?2
ORDER BY h.changed_at, h.id;
