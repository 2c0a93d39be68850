-- planeval schema, migration 3: what departments send with their figures.
-- The fill-in form has a notes column (备注); the note belongs to the value,
-- so it is kept on the observation row beside its source.

ALTER TABLE observation ADD COLUMN note TEXT;

DROP VIEW v_observation;
CREATE VIEW v_observation AS
SELECT p.code AS plan, i.code, i.name, i.unit, o.year, o.value, o.value_kind, o.status,
       o.illustrative, o.source, o.note, o.department_code AS department, o.recorded_by,
       o.recorded_at, o.import_batch
FROM observation o
JOIN indicator i ON i.id = o.indicator_id
JOIN plan p ON p.id = i.plan_id;

-- The trail of every value, readable without planeval (`planeval history` shows the same).
CREATE VIEW v_observation_history AS
SELECT p.code AS plan, i.code, i.name, h.year, h.action, h.old_value, h.new_value,
       h.old_status, h.new_status, h.changed_by, h.department_code AS department,
       h.changed_at, h.reason, h.import_batch
FROM observation_history h
JOIN indicator i ON i.id = h.indicator_id
JOIN plan p ON p.id = i.plan_id;
