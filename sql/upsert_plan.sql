-- Insert or refresh a plan's own row; its id stays stable across reloads.
INSERT INTO plan (code, title, short_title, region, period_start, period_end, base_year,
                  midterm_year, adopted, issuer, office, source_document, source_text,
                  catalog_hash, loaded_at)
VALUES (:code, :title, :short_title, :region, :period_start, :period_end, :base_year,
        :midterm_year, :adopted, :issuer, :office, :source_document, :source_text,
        :catalog_hash, :loaded_at)
ON CONFLICT (code) DO UPDATE SET
    title = excluded.title, short_title = excluded.short_title, region = excluded.region,
    period_start = excluded.period_start, period_end = excluded.period_end,
    base_year = excluded.base_year, midterm_year = excluded.midterm_year,
    adopted = excluded.adopted, issuer = excluded.issuer, office = excluded.office,
    source_document = excluded.source_document, source_text = excluded.source_text,
    catalog_hash = excluded.catalog_hash, loaded_at = excluded.loaded_at
RETURNING id;
