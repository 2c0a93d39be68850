//! Plans in the database: writing a validated catalog (idempotently, in one
//! transaction) and reading plans, their structure and indicators back.

use super::audit::{self, catalog_scope, CatalogScope, Link};
use super::catalog::{Baseline, Catalog, Chapter, Indicator, Section};
use super::db::{now_utc, Store};
use super::{decode, one_plan_or_all};
use crate::error::{Error, Result};
use crate::model::{Attribution, Better, Nature, PathShape, PlanFile, TargetKind};

pub use crate::model::{PlanRecord, StoredIndicator};
use rusqlite::{named_params, params, Connection, OptionalExtension, Row, Transaction};
use std::collections::{BTreeSet, HashMap};

/// What loading a catalog did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The plan was not in the database before.
    Created { plan: String, indicators: usize },
    /// The same catalog was already loaded: nothing was written.
    Unchanged { plan: String },
    /// The plan existed and its catalog changed.
    Updated {
        plan: String,
        added: Vec<String>,
        removed: Vec<String>,
        kept: usize,
    },
}

impl std::fmt::Display for LoadOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadOutcome::Created { plan, indicators } => {
                write!(f, "loaded plan {plan}: {indicators} indicators")
            }
            LoadOutcome::Unchanged { plan } => {
                write!(
                    f,
                    "plan {plan} is already loaded and unchanged; nothing written"
                )
            }
            LoadOutcome::Updated {
                plan,
                added,
                removed,
                kept,
            } => write!(
                f,
                "updated plan {plan}: {kept} indicators refreshed, {} added{}, {} removed{}",
                added.len(),
                list_suffix(added),
                removed.len(),
                list_suffix(removed)
            ),
        }
    }
}

fn list_suffix(codes: &[String]) -> String {
    if codes.is_empty() {
        String::new()
    } else {
        format!(" ({})", codes.join(", "))
    }
}

/// Writes a catalog into the database in one transaction. Re-loading the same
/// catalog writes nothing; an edited catalog updates indicators in place (keeping
/// their observations) and refuses to drop an indicator that has observations.
pub fn load_catalog(store: &mut Store, catalog: &Catalog) -> Result<LoadOutcome> {
    let path = store.path().to_path_buf();
    store.write("loading catalog", |tx| {
        let db = |context: &str| {
            let path = path.clone();
            let context = context.to_string();
            move |e| Error::db(&path, context, e)
        };
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, catalog_hash FROM plan WHERE code = ?1",
                [&catalog.plan.code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db("reading plan"))?;
        if let Some((_, hash)) = &existing {
            if *hash == catalog.hash {
                return Ok(LoadOutcome::Unchanged {
                    plan: catalog.plan.code.clone(),
                });
            }
        }
        let old_codes: BTreeSet<String> = match &existing {
            Some((plan_id, _)) => {
                indicator_codes(tx, *plan_id).map_err(db("reading indicators"))?
            }
            None => BTreeSet::new(),
        };
        let old_scope = match &existing {
            Some((plan_id, _)) => catalog_scope(tx, *plan_id).map_err(db("reading the catalog"))?,
            None => CatalogScope::new(),
        };
        let plan_id = write_plan(tx, catalog).map_err(db("writing plan"))?;
        write_departments(tx, catalog).map_err(db("writing departments"))?;
        let sections =
            write_structure(tx, plan_id, &catalog.chapters).map_err(db("writing chapters"))?;
        write_indicators(tx, plan_id, &catalog.indicators, &sections)
            .map_err(db("writing indicators"))?;
        let new_codes: BTreeSet<String> =
            catalog.indicators.iter().map(|i| i.code.clone()).collect();
        let removed: Vec<String> = old_codes.difference(&new_codes).cloned().collect();
        remove_indicators(tx, plan_id, &removed, &path)?;
        remove_stale_structure(tx, plan_id, &catalog.chapters).map_err(db("pruning chapters"))?;
        let outcome = if existing.is_none() {
            LoadOutcome::Created {
                plan: catalog.plan.code.clone(),
                indicators: catalog.indicators.len(),
            }
        } else {
            LoadOutcome::Updated {
                plan: catalog.plan.code.clone(),
                added: new_codes.difference(&old_codes).cloned().collect(),
                removed,
                kept: new_codes.intersection(&old_codes).count(),
            }
        };
        let mut link = Link::new();
        let departments = catalog.departments.iter().map(|d| d.code.as_str());
        link.record_catalog(tx, plan_id, departments, &old_scope)
            .map_err(db("recording the catalog in the audit chain"))?;
        audit::append(
            tx,
            link,
            "catalog_load",
            &catalog.plan.code,
            &outcome.to_string(),
        )
        .map_err(db("writing audit log"))?;
        Ok(outcome)
    })
}

fn indicator_codes(tx: &Transaction<'_>, plan_id: i64) -> rusqlite::Result<BTreeSet<String>> {
    let mut stmt = tx.prepare("SELECT code FROM indicator WHERE plan_id = ?1")?;
    let codes = stmt.query_map([plan_id], |r| r.get(0))?.collect();
    codes
}

fn write_plan(tx: &Transaction<'_>, catalog: &Catalog) -> rusqlite::Result<i64> {
    let plan = &catalog.plan;
    tx.query_row(
        include_str!("../../sql/upsert_plan.sql"),
        named_params! {
            ":code": plan.code, ":title": plan.title, ":short_title": plan.short_title,
            ":region": plan.region, ":period_start": plan.period_start,
            ":period_end": plan.period_end, ":base_year": plan.base_year,
            ":midterm_year": plan.midterm_year, ":adopted": plan.adopted,
            ":issuer": plan.issuer, ":office": plan.office,
            ":source_document": plan.source_document, ":source_text": catalog.plan_text,
            ":catalog_hash": catalog.hash, ":loaded_at": now_utc(),
        },
        |r| r.get(0),
    )
}

fn write_departments(tx: &Transaction<'_>, catalog: &Catalog) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT INTO department (code, name, short_name) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, short_name = excluded.short_name",
    )?;
    for d in &catalog.departments {
        stmt.execute(params![d.code, d.name, d.short_name])?;
    }
    Ok(())
}

/// Upserts chapters and sections; returns ids keyed by (chapter, section) where
/// section 0 stands for the chapter itself.
fn write_structure(
    tx: &Transaction<'_>,
    plan_id: i64,
    chapters: &[Chapter],
) -> rusqlite::Result<HashMap<(u32, u32), i64>> {
    let mut ids = HashMap::new();
    let mut chapter_stmt = tx.prepare(
        "INSERT INTO chapter (plan_id, number, title) VALUES (?1, ?2, ?3)
         ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title RETURNING id",
    )?;
    let mut section_stmt = tx.prepare(
        "INSERT INTO section (chapter_id, number, title) VALUES (?1, ?2, ?3)
         ON CONFLICT (chapter_id, number) DO UPDATE SET title = excluded.title RETURNING id",
    )?;
    for chapter in chapters {
        let chapter_id: i64 = chapter_stmt
            .query_row(params![plan_id, chapter.number, chapter.title], |r| {
                r.get(0)
            })?;
        ids.insert((chapter.number, 0), chapter_id);
        for section in &chapter.sections {
            let section_id: i64 = section_stmt
                .query_row(params![chapter_id, section.number, section.title], |r| {
                    r.get(0)
                })?;
            ids.insert((chapter.number, section.number), section_id);
        }
    }
    Ok(ids)
}

fn write_indicators(
    tx: &Transaction<'_>,
    plan_id: i64,
    indicators: &[Indicator],
    structure: &HashMap<(u32, u32), i64>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(include_str!("../../sql/upsert_indicator.sql"))?;
    for (ord, i) in indicators.iter().enumerate() {
        let baseline = i.baseline.as_ref();
        stmt.execute(named_params! {
            ":plan_id": plan_id, ":code": i.code, ":ord": ord as i64, ":name": i.name,
            ":unit": i.unit, ":chapter_id": structure.get(&(i.chapter, 0)),
            ":section_id": i.section.and_then(|s| structure.get(&(i.chapter, s))),
            ":nature": i.nature.as_str(), ":nature_by": i.nature_by.as_str(),
            ":kind": i.kind.as_str(), ":better": i.better.as_str(),
            ":baseline_year": baseline.map(|b| b.year),
            ":baseline_value": baseline.map(|b| b.value),
            ":baseline_quote": baseline.map(|b| b.quote.as_str()),
            ":target_year": i.target_year, ":target_value": i.target_value,
            ":path": i.path.as_str(), ":department_code": i.department,
            ":department_by": i.department_by.as_str(), ":source_quote": i.source_quote,
            ":note": i.note,
        })?;
    }
    Ok(())
}

fn remove_indicators(
    tx: &Transaction<'_>,
    plan_id: i64,
    codes: &[String],
    path: &std::path::Path,
) -> Result<()> {
    for code in codes {
        let observations: i64 = tx
            .query_row(
                "SELECT count(*) FROM observation o JOIN indicator i ON i.id = o.indicator_id
                 WHERE i.plan_id = ?1 AND i.code = ?2",
                params![plan_id, code],
                |r| r.get(0),
            )
            .map_err(|e| Error::db(path, "counting observations", e))?;
        if observations > 0 {
            return Err(Error::Usage(format!(
                "the new catalog drops indicator `{code}`, which has {observations} observation(s); \
                 keep it in the catalog (history is never deleted by a reload)"
            )));
        }
        tx.execute(
            "DELETE FROM indicator WHERE plan_id = ?1 AND code = ?2",
            params![plan_id, code],
        )
        .map_err(|e| Error::db(path, "removing indicator", e))?;
    }
    Ok(())
}

fn remove_stale_structure(
    tx: &Transaction<'_>,
    plan_id: i64,
    chapters: &[Chapter],
) -> rusqlite::Result<()> {
    let mut stale_sections = Vec::new();
    let mut stmt = tx.prepare(
        "SELECT s.id, c.number, s.number FROM section s JOIN chapter c ON c.id = s.chapter_id
         WHERE c.plan_id = ?1",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })?;
    for row in rows {
        let (id, chapter, section) = row?;
        let kept = chapters
            .iter()
            .any(|c| c.number == chapter && c.sections.iter().any(|s| s.number == section));
        if !kept {
            stale_sections.push(id);
        }
    }
    for id in stale_sections {
        tx.execute("DELETE FROM section WHERE id = ?1", [id])?;
    }
    let numbers: Vec<u32> = chapters.iter().map(|c| c.number).collect();
    let mut stmt = tx.prepare("SELECT id, number FROM chapter WHERE plan_id = ?1")?;
    let stale: Vec<i64> = stmt
        .query_map([plan_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?))
        })?
        .filter_map(|r| r.ok())
        .filter(|(_, number)| !numbers.contains(number))
        .map(|(id, _)| id)
        .collect();
    for id in stale {
        tx.execute("DELETE FROM chapter WHERE id = ?1", [id])?;
    }
    Ok(())
}

const PLAN_COLUMNS: &str = "id, code, title, short_title, region, period_start, period_end, \
     base_year, midterm_year, adopted, issuer, office, source_document";

fn plan_from_row(r: &Row<'_>) -> rusqlite::Result<PlanRecord> {
    Ok(PlanRecord {
        id: r.get(0)?,
        file: PlanFile {
            code: r.get(1)?,
            title: r.get(2)?,
            short_title: r.get(3)?,
            region: r.get(4)?,
            period_start: r.get(5)?,
            period_end: r.get(6)?,
            base_year: r.get(7)?,
            midterm_year: r.get(8)?,
            adopted: r.get(9)?,
            issuer: r.get(10)?,
            office: r.get(11)?,
            source_document: r.get(12)?,
        },
    })
}

/// Every plan in the database, by code.
pub fn all_plans(store: &Store) -> Result<Vec<PlanRecord>> {
    let query = || -> rusqlite::Result<Vec<PlanRecord>> {
        let mut stmt = store
            .conn()
            .prepare(&format!("SELECT {PLAN_COLUMNS} FROM plan ORDER BY code"))?;
        let plans = stmt.query_map([], plan_from_row)?.collect();
        plans
    };
    query().map_err(|e| Error::db(store.path(), "reading plans", e))
}

/// The plan with this code, or the only plan when no code is given.
pub fn find_plan(store: &Store, code: Option<&str>) -> Result<PlanRecord> {
    let plans = all_plans(store)?;
    let codes = || {
        plans
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match code {
        Some(code) => plans
            .iter()
            .find(|p| p.code == code)
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no plan `{code}` in {} (plans: {})",
                    store.path().display(),
                    codes()
                ))
            }),
        None if plans.len() == 1 => Ok(plans[0].clone()),
        None if plans.is_empty() => Err(Error::Usage(format!(
            "{} holds no plan yet: run `planeval init`",
            store.path().display()
        ))),
        None => Err(Error::Usage(format!(
            "{} holds several plans; choose one with --plan ({})",
            store.path().display(),
            codes()
        ))),
    }
}

/// The chapters and sections of a plan, in plan order.
pub fn plan_structure(conn: &Connection, plan_id: i64) -> rusqlite::Result<Vec<Chapter>> {
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT c.number, c.title, s.number, s.title FROM chapter c
         LEFT JOIN section s ON s.chapter_id = c.id
         WHERE c.plan_id = ?1 ORDER BY c.number, s.number",
    )?;
    let rows = stmt.query_map([plan_id], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<u32>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (number, title, section, section_title) = row?;
        if chapters.last().is_none_or(|c| c.number != number) {
            chapters.push(Chapter {
                number,
                title,
                sections: Vec::new(),
            });
        }
        if let (Some(section), Some(section_title), Some(chapter)) =
            (section, section_title, chapters.last_mut())
        {
            chapter.sections.push(Section {
                number: section,
                title: section_title,
            });
        }
    }
    Ok(chapters)
}

/// The indicators of one plan (or of every plan when `plan_id` is None), in catalog order.
pub fn plan_indicators(
    conn: &Connection,
    plan_id: Option<i64>,
) -> rusqlite::Result<Vec<StoredIndicator>> {
    let mut stmt = conn.prepare_cached(&one_plan_or_all(
        include_str!("../../sql/select_indicators.sql"),
        "i.plan_id = ?1",
        plan_id,
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(plan_id), |r| {
        Ok(((r.get::<_, i64>(21)?), indicator_from_row(r)?))
    })?;
    let mut ordered = rows.collect::<rusqlite::Result<Vec<(i64, StoredIndicator)>>>()?;
    ordered.sort_by_key(|(ord, indicator)| (indicator.plan_id, *ord));
    Ok(ordered
        .into_iter()
        .map(|(_, indicator)| indicator)
        .collect())
}

fn indicator_from_row(r: &Row<'_>) -> rusqlite::Result<StoredIndicator> {
    let baseline = match (r.get::<_, Option<i32>>(12)?, r.get::<_, Option<f64>>(13)?) {
        (Some(year), Some(value)) => Some(Baseline {
            year,
            value,
            quote: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(StoredIndicator {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        definition: Indicator {
            code: r.get(2)?,
            name: r.get(3)?,
            unit: r.get(4)?,
            chapter: r.get(5)?,
            section: r.get(6)?,
            nature: decode(r, 7, Nature::parse)?,
            nature_by: decode(r, 8, Attribution::parse)?,
            kind: decode(r, 9, TargetKind::parse)?,
            better: decode(r, 10, Better::parse)?,
            path: decode(r, 11, PathShape::parse)?,
            baseline,
            target_year: r.get(15)?,
            target_value: r.get(16)?,
            department: r.get(17)?,
            department_by: decode(r, 18, Attribution::parse)?,
            source_quote: r.get(19)?,
            note: r.get(20)?,
        },
    })
}
