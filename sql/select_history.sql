-- The history of one indicator (id ?1), oldest change first. The id is a
-- parameter, not a subquery, so SQLite pushes it down the view to both tables'
-- indexes instead of numbering the versions of every value in the file.
-- The name the user claimed, if any, is the audit log's for the batch.
SELECT e.changed_at, e.action, e.year, e.old_value, e.new_value, e.old_status, e.new_status,
       e.changed_by, e.department_code, e.reason, e.import_batch, a.claimed_by
FROM v_observation_event e
LEFT JOIN audit_chain c ON c.batch = e.import_batch
LEFT JOIN audit_log a ON a.id = c.audit_id
WHERE e.indicator_id = ?1
ORDER BY e.changed_at, e.year, e.is_current, e.seq, e.step;
