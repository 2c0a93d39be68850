-- Record the office's verdict on an indicator for a year, replacing an earlier
-- one for the same indicator and year (the audit chain keeps every version).
-- ?1 indicator id, ?2 year, ?3 status, ?4 reason, ?5 recorded by, ?6 recorded at.
INSERT INTO office_verdict (indicator_id, year, status, reason, recorded_by, recorded_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (indicator_id, year) DO UPDATE SET status = excluded.status,
    reason = excluded.reason, recorded_by = excluded.recorded_by,
    recorded_at = excluded.recorded_at;
