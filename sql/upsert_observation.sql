-- Record the current value of an indicator for a year. The row keeps one
-- current value; the observation_history triggers keep every earlier one.
INSERT INTO observation (indicator_id, year, value, value_kind, status, source, department_code,
                         recorded_by, recorded_at, illustrative, change_reason, import_batch, note)
VALUES (:indicator_id, :year, :value, :value_kind, :status, :source, :department_code,
        :recorded_by, :recorded_at, :illustrative, :change_reason, :import_batch, :note)
ON CONFLICT (indicator_id, year) DO UPDATE SET
    value = excluded.value, value_kind = excluded.value_kind, status = excluded.status,
    source = excluded.source, department_code = excluded.department_code,
    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at,
    illustrative = excluded.illustrative, change_reason = excluded.change_reason,
    import_batch = excluded.import_batch, note = excluded.note;
