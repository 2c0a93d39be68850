-- What an import checks each row against: the indicators of one plan (?1),
-- without the quotes and notes that the evaluation and the reports need.
-- The ids come from the index and the rows are then read in storage order: for
-- a plan that fills the file, seeking each row in code order took twice as long.
SELECT id, code, name, unit, kind, department_code FROM indicator
WHERE id IN (SELECT id FROM indicator WHERE plan_id = ?1);
