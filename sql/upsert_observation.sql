-- Record the current value of indicators for years. A row keeps one current
-- value; the triggers keep every earlier one in observation_version.
-- The marker after VALUES stands for one group of parameters per row written
-- (planeval fills it in; nothing else is substituted): SQLite journals every
-- page a statement touches, so one statement per row costs a million-row import
-- two seconds of copying. Who recorded the rows, when, whether illustrative, why
-- and in which batch are ?1-?5, shared by every group; each row's own values
-- are numbered after them.
INSERT INTO observation (indicator_id, year, value, value_kind, status, source, department_code,
                         recorded_by, recorded_at, illustrative, change_reason, import_batch, note)
VALUES {rows}
ON CONFLICT (indicator_id, year) DO UPDATE SET
    value = excluded.value, value_kind = excluded.value_kind, status = excluded.status,
    source = excluded.source, department_code = excluded.department_code,
    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at,
    illustrative = excluded.illustrative, change_reason = excluded.change_reason,
    import_batch = excluded.import_batch, note = excluded.note;
