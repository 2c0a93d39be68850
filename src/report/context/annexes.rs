//! The annexes: method notes, data notes (sources, problems) and the edition
//! notes with what changed since the previous edition (method_notes.html,
//! data_notes.html, edition_changes.html).

use super::wording::plan_time_elapsed;
use super::{ContextInputs, StatusView};
use crate::evaluate::Status;
use crate::model::edition::EditionChange;
use crate::model::ObservationStatus;
use crate::text::percent;
use serde::Serialize;
use std::collections::HashMap;

/// Annex: the method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodNotes {
    /// Part heading.
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// Paragraphs explaining 序时进度 and the other measures.
    pub paragraphs: Vec<String>,
    /// The lights and the rule that gives each (thresholds from the configuration).
    pub thresholds: Vec<ThresholdRow>,
}

/// One light and its rule.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdRow {
    /// The light.
    pub status: StatusView,
    /// The rule in words, with the configured threshold.
    pub rule: String,
}

/// Annex: the data.
#[derive(Debug, Clone, Serialize)]
pub struct DataNotes {
    /// Part heading.
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// Paragraphs on sources, dates and demo data.
    pub paragraphs: Vec<String>,
    /// Column headings of the source table.
    pub source_columns: Vec<String>,
    /// One row per responsible department.
    pub sources: Vec<SourceRow>,
    /// Said before the excluded values (or that every value passed).
    pub problems_intro: String,
    /// Values excluded from the evaluation.
    pub problems: Vec<ProblemRow>,
    /// Says what the data hash below is.
    pub data_hash_note: String,
    /// The full data hash (SHA-256 in hex).
    pub data_hash: String,
}

/// Annex: the edition and what changed since the previous one.
#[derive(Debug, Clone, Serialize)]
pub struct EditionNotes {
    /// Part heading ("附录三　与上一版（第1版）相比的数据变化").
    pub heading: String,
    /// Anchor of the part.
    pub anchor: String,
    /// The edition number.
    pub number: u32,
    /// "第2版".
    pub label: String,
    /// The full data hash (SHA-256 in hex) of the plan's catalog and observations.
    pub data_hash: String,
    /// Its first twelve characters.
    pub data_hash_short: String,
    /// "数据快照：3f9a12bc45de（前12位）".
    pub snapshot_line: String,
    /// The edition compared with ("第1版"), or empty when there is none.
    pub previous_label: String,
    /// What the annex compares, or the sentence saying there is nothing to compare.
    pub paragraphs: Vec<String>,
    /// Column headings of the table of changed values.
    pub change_columns: Vec<String>,
    /// Values revised, statuses changed, values added or removed, in plan order.
    pub changes: Vec<ChangeRow>,
    /// Sub-heading of the light changes ("指标状态变化"), or empty without a previous edition.
    pub lights_heading: String,
    /// Says whether lights changed, or why they cannot be compared.
    pub lights_note: String,
    /// Column headings of the table of light changes.
    pub light_columns: Vec<String>,
    /// Indicators whose computed light changed, in plan order.
    pub light_changes: Vec<LightChangeRow>,
}

/// One indicator-year that differs from the previous edition.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    /// Indicator name (the code when the indicator is no longer in the plan).
    pub indicator: String,
    /// "2023年".
    pub year: String,
    /// "数值修订", "初步数→最终数", "新增", "删除", or a revision with its status change.
    pub change: String,
    /// The previous edition's value and status ("3.24（最终数）"), or "—".
    pub old: String,
    /// This edition's value and status, or "—".
    pub new: String,
}

/// An indicator whose computed light changed since the previous edition.
#[derive(Debug, Clone, Serialize)]
pub struct LightChangeRow {
    /// Indicator name (the code when the indicator is no longer in the plan).
    pub indicator: String,
    /// The light in the previous edition; `None` when it had no such indicator.
    pub old: Option<StatusView>,
    /// The light now; `None` when the indicator is no longer in the plan.
    pub new: Option<StatusView>,
}

/// One department's data.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    /// Department name.
    pub department: String,
    /// Indicators it reports.
    pub indicators: usize,
    /// Values used.
    pub observations: usize,
    /// Its stated sources, joined with "；", or "—".
    pub sources: String,
}

/// A value excluded from the evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemRow {
    /// Indicator name.
    pub indicator: String,
    /// "2022年", or empty.
    pub year: String,
    /// What is wrong.
    pub problem: String,
}

pub(super) fn method_notes(inputs: &ContextInputs<'_>) -> MethodNotes {
    let plan = &inputs.evaluation.plan;
    let t = inputs.thresholds;
    MethodNotes {
        heading: "附录一　评价方法".to_string(),
        anchor: "annex-method".to_string(),
        paragraphs: vec![
            format!(
                "时间进度（序时进度）＝（数据年份－基期年份）÷（目标年份－基期年份）。本规划基期为{}年，目标年份一般为{}年；{}年时间进度为{}。",
                plan.base_year,
                plan.period_end,
                inputs.evaluation.year,
                plan_time_elapsed(inputs.evaluation)
            ),
            "实际进度＝（最新值－基期值）÷（目标值－基期值）。规划路径由基期值到目标值：总量类指标按年均复合增长，比率类指标按线性变化；完成序时进度＝实际进度÷按规划路径此时应达到的进度。".to_string(),
            "上限类（控制在……以内）和保持类指标不计进度，以最新年份是否在限内判定；累计类指标以规划期内累计值与按时间进度应累计的值比较；每年类指标以各年均值与每年目标比较；年均增长类指标以实际年均增速与目标增速比较；定性指标只列示数值，不按规则评价。".to_string(),
            "预计值按基期以来的趋势外推至目标年份（复合增长路径按年均增速，线性路径按年均增量）。仍需年均增速为由最新值达到目标所需的年均增长率。".to_string(),
            "“统计局意见”为统计局结合实际情况另行作出的判断，与计算得出的状态并列显示，不替代计算结果。".to_string(),
        ],
        thresholds: vec![
            ThresholdRow {
                status: StatusView::of(Status::Green),
                rule: format!(
                    "完成序时进度不低于{}，或已达到目标；上限类、保持类指标各年均在限内。",
                    percent(t.green_from)
                ),
            },
            ThresholdRow {
                status: StatusView::of(Status::Yellow),
                rule: format!(
                    "完成序时进度在{}至{}之间；或上限类、保持类指标最新年份在限内，但以前年份曾超限。",
                    percent(t.yellow_from),
                    percent(t.green_from)
                ),
            },
            ThresholdRow {
                status: StatusView::of(Status::Red),
                rule: format!(
                    "完成序时进度低于{}；或最新年份超过上限、未能保持。",
                    percent(t.yellow_from)
                ),
            },
            ThresholdRow {
                status: StatusView::of(Status::Grey),
                rule: "无有效数据，或为定性指标、缺少计算所需的基期值等，不按规则评价。".to_string(),
            },
        ],
    }
}

pub(super) fn data_notes(inputs: &ContextInputs<'_>, data_notice: Option<&str>) -> DataNotes {
    let evaluation = inputs.evaluation;
    let names: HashMap<&str, &str> = evaluation
        .indicators
        .iter()
        .map(|i| (i.code.as_str(), i.name.as_str()))
        .collect();
    let mut paragraphs = Vec::new();
    paragraphs.extend(data_notice.map(str::to_string));
    paragraphs.push(format!(
        "数据由各责任单位报送，经{}审核后录入数据库。下表列出各单位负责的指标数和本报告使用的数值个数（{}年及以前）。",
        evaluation.plan.office, evaluation.year
    ));
    paragraphs.push(inputs.date.note.clone());
    DataNotes {
        heading: "附录二　数据来源与说明".to_string(),
        anchor: "annex-data".to_string(),
        paragraphs,
        source_columns: ["责任单位", "指标数", "使用数值个数", "数据来源"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        sources: inputs
            .sources
            .iter()
            .map(|s| SourceRow {
                department: s.name.clone(),
                indicators: s.indicators,
                observations: s.observations,
                sources: if s.sources.is_empty() {
                    "—".to_string()
                } else {
                    s.sources.join("；")
                },
            })
            .collect(),
        problems_intro: if evaluation.problems.is_empty() {
            "所有数值均通过校验。".to_string()
        } else {
            "以下数值未通过校验，已排除在评价之外：".to_string()
        },
        problems: evaluation
            .problems
            .iter()
            .map(|p| ProblemRow {
                indicator: names
                    .get(p.code.as_str())
                    .map_or_else(|| p.code.clone(), |n| n.to_string()),
                year: p.year.map(|y| format!("{y}年")).unwrap_or_default(),
                problem: p.problem.clone(),
            })
            .collect(),
        data_hash_note: format!(
            "本报告为第{}版。所用数据（规划指标目录及全部观测值）的内容指纹（SHA-256）如下；指纹相同的报告，所用数据相同。",
            inputs.edition.number
        ),
        data_hash: inputs.edition.data_hash.clone(),
    }
}

/// How many characters of the data hash the cover shows.
pub(super) const SHORT_HASH: usize = 12;

pub(super) fn edition_notes(inputs: &ContextInputs<'_>) -> EditionNotes {
    let edition = inputs.edition;
    let indicators = &inputs.evaluation.indicators;
    // Plan order, then (for indicators no longer in the plan) code order.
    let position = |code: &str| {
        indicators
            .iter()
            .position(|i| i.code == code)
            .unwrap_or(indicators.len())
    };
    let name = |code: &str| {
        indicators
            .iter()
            .find(|i| i.code == code)
            .map_or_else(|| code.to_string(), |i| i.name.clone())
    };
    let short: String = edition.data_hash.chars().take(SHORT_HASH).collect();
    let label = format!("第{}版", edition.number);
    let previous_label = edition
        .previous
        .as_ref()
        .map(|p| format!("第{}版", p.edition))
        .unwrap_or_default();
    let mut changes: Vec<&EditionChange> = edition.changes.iter().collect();
    changes.sort_by_key(|c| (position(&c.code), c.code.clone(), c.year));
    let paragraphs = match &edition.previous {
        None if edition.number == 1 => vec!["本报告为首版，无此前版本可比较。".to_string()],
        None => vec![format!(
            "本报告为{label}；此前各版所用数据与本版相同，无数据变化。"
        )],
        Some(previous) => {
            let previous_short: String = previous.data_hash.chars().take(SHORT_HASH).collect();
            vec![if changes.is_empty() {
                format!(
                    "本报告为{label}。与{previous_label}（数据快照：{previous_short}）相比，所用数值没有变化；数据快照不同，是因为规划指标目录有变化。"
                )
            } else {
                format!(
                    "本报告为{label}。与{previous_label}（数据快照：{previous_short}）相比，有{}处数值发生变化（数值修订、数据状态变更、新增或删除），列表如下。",
                    changes.len()
                )
            }]
        }
    };
    let (lights_heading, lights_note) = match (&edition.previous, &edition.light_changes) {
        (None, _) => (String::new(), String::new()),
        (Some(_), None) => (
            "指标状态变化".to_string(),
            format!("{previous_label}未记录各指标的状态，无法比较状态的变化。"),
        ),
        (Some(_), Some(lights)) if lights.is_empty() => (
            "指标状态变化".to_string(),
            format!("各指标的状态与{previous_label}相同。"),
        ),
        (Some(_), Some(_)) => (
            "指标状态变化".to_string(),
            format!("以下指标的状态与{previous_label}不同："),
        ),
    };
    let mut lights: Vec<_> = edition.light_changes.iter().flatten().collect();
    lights.sort_by_key(|c| (position(&c.code), c.code.clone()));
    let light_changes = lights
        .into_iter()
        .map(|c| LightChangeRow {
            indicator: name(&c.code),
            old: c
                .old_light
                .as_deref()
                .and_then(Status::parse)
                .map(StatusView::of),
            new: c
                .new_light
                .as_deref()
                .and_then(Status::parse)
                .map(StatusView::of),
        })
        .collect();
    EditionNotes {
        heading: if previous_label.is_empty() {
            "附录三　与上一版相比的数据变化".to_string()
        } else {
            format!("附录三　与上一版（{previous_label}）相比的数据变化")
        },
        anchor: "annex-changes".to_string(),
        number: edition.number,
        label,
        data_hash: edition.data_hash.clone(),
        snapshot_line: format!("数据快照：{short}（前{SHORT_HASH}位）"),
        data_hash_short: short,
        previous_label,
        paragraphs,
        change_columns: ["指标", "年份", "变化", "上一版", "本版"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        changes: changes
            .into_iter()
            .map(|c| ChangeRow {
                indicator: name(&c.code),
                year: format!("{}年", c.year),
                change: change_text(c),
                old: value_with_status(c.old_value, c.old_status),
                new: value_with_status(c.new_value, c.new_status),
            })
            .collect(),
        lights_heading,
        lights_note,
        light_columns: ["指标", "上一版状态", "本版状态"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        light_changes,
    }
}

/// What kind of change one indicator-year underwent, in words.
pub(super) fn change_text(change: &EditionChange) -> String {
    if change.added() {
        return "新增".to_string();
    }
    if change.removed() {
        return "删除".to_string();
    }
    let status = match (change.old_status, change.new_status) {
        (Some(old), Some(new)) if change.status_changed() => {
            Some(format!("{}→{}", old.label_zh(), new.label_zh()))
        }
        _ => None,
    };
    match (change.value_revised(), status) {
        (true, Some(status)) => format!("数值修订；{status}"),
        (true, None) => "数值修订".to_string(),
        (false, Some(status)) => status,
        (false, None) => "—".to_string(),
    }
}

/// A value as stored, every digit (a revision may change only the last one),
/// with its status: "3.24（最终数）"; "—" when there is no value.
pub(super) fn value_with_status(value: Option<f64>, status: Option<ObservationStatus>) -> String {
    match (value, status) {
        (Some(value), Some(status)) => format!("{value}（{}）", status.label_zh()),
        (Some(value), None) => value.to_string(),
        (None, _) => "—".to_string(),
    }
}
