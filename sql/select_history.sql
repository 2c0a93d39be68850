-- The history of one indicator (id ?1), oldest change first. The id is a
-- parameter, not a subquery, so SQLite pushes it down the view to both tables'
-- indexes instead of numbering the versions of every value in the file.
SELECT changed_at, action, year, old_value, new_value, old_status, new_status, changed_by,
       department_code, reason, import_batch
FROM v_observation_event
WHERE indicator_id = ?1
ORDER BY changed_at, year, is_current, seq, step;
