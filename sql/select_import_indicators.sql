-- What an import checks each row against: the indicators of one plan (?1),
-- without the quotes and notes that the evaluation and the reports need.
SELECT id, code, name, unit, kind, department_code FROM indicator WHERE plan_id = ?1;
