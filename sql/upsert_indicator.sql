-- Insert or refresh one indicator of a plan, keyed by its stable code, so that
-- reloading an edited catalog keeps the indicator's id and its observations.
INSERT INTO indicator (plan_id, code, ord, name, unit, chapter_id, section_id, nature, nature_by,
                       kind, better, baseline_year, baseline_value, baseline_quote, target_year,
                       target_value, path, department_code, department_by, source_quote, note)
VALUES (:plan_id, :code, :ord, :name, :unit, :chapter_id, :section_id, :nature, :nature_by,
        :kind, :better, :baseline_year, :baseline_value, :baseline_quote, :target_year,
        :target_value, :path, :department_code, :department_by, :source_quote, :note)
ON CONFLICT (plan_id, code) DO UPDATE SET
    ord = excluded.ord, name = excluded.name, unit = excluded.unit,
    chapter_id = excluded.chapter_id, section_id = excluded.section_id,
    nature = excluded.nature, nature_by = excluded.nature_by, kind = excluded.kind,
    better = excluded.better, baseline_year = excluded.baseline_year,
    baseline_value = excluded.baseline_value, baseline_quote = excluded.baseline_quote,
    target_year = excluded.target_year, target_value = excluded.target_value,
    path = excluded.path, department_code = excluded.department_code,
    department_by = excluded.department_by, source_quote = excluded.source_quote,
    note = excluded.note;
