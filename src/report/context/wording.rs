//! The report's fixed wording and the sentences built from figures: labels,
//! Chinese numerals, target texts, what is needed to reach a target.

use super::DEMO_NOTICE;
use crate::evaluate::path::period_elapsed;
use crate::evaluate::{IndicatorResult, PlanEvaluation, Status, StatusCounts};
use crate::model::{Better, TargetKind};
use crate::text::{number, percent, value, with_unit};
use serde::Serialize;

/// Fixed wording of recurring blocks, so HTML and PDF say the same thing.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    /// "目录".
    pub toc: String,
    /// "前言".
    pub foreword: String,
    /// "二、分章实施情况": the heading over the chapter parts.
    pub chapters: String,
    /// "本章各节".
    pub sections: String,
    /// "主要指标监测情况".
    pub indicators: String,
    /// "统计局评述".
    pub commentary: String,
    /// "各状态指标数".
    pub status_counts: String,
    /// "主要指标".
    pub headline: String,
    /// "分章情况".
    pub by_chapter: String,
    /// "章" (the first column of the chapter counts).
    pub chapter: String,
    /// "约束性指标".
    pub binding: String,
    /// "约束性" (the tag next to a binding indicator's name).
    pub binding_tag: String,
    /// "时间进度" before the time elapsed under a progress figure.
    pub time_elapsed: String,
    /// "注：" before a caveat.
    pub caveat: String,
    /// "项" (the counter of indicators).
    pub item: String,
    /// "合计".
    pub total: String,
    /// "状态判定规则".
    pub status_rules: String,
    /// "未纳入评价的数值".
    pub problems: String,
    /// "演示数据，非官方统计数据".
    pub demo: String,
}

impl Labels {
    pub(super) fn zh() -> Labels {
        let s = |text: &str| text.to_string();
        Labels {
            toc: s("目录"),
            foreword: s("前言"),
            chapters: s("二、分章实施情况"),
            sections: s("本章各节"),
            indicators: s("主要指标监测情况"),
            commentary: s("统计局评述"),
            status_counts: s("各状态指标数"),
            headline: s("主要指标"),
            by_chapter: s("分章情况"),
            chapter: s("章"),
            binding: s("约束性指标"),
            binding_tag: s("约束性"),
            time_elapsed: s("时间进度"),
            caveat: s("注："),
            item: s("项"),
            total: s("合计"),
            status_rules: s("状态判定规则"),
            problems: s("未纳入评价的数值"),
            demo: s(DEMO_NOTICE),
        }
    }
}

/// Chinese numerals for chapter and section numbers (1–99): 三, 十三, 二十一.
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS[(d % 10) as usize];
    match n {
        0..=9 => digit(n).to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", digit(n % 10)),
        _ if n.is_multiple_of(10) && n < 100 => format!("{}十", digit(n / 10)),
        20..=99 => format!("{}十{}", digit(n / 10), digit(n % 10)),
        _ => n.to_string(),
    }
}

pub(super) fn projection_text(r: &IndicatorResult, projection: f64) -> String {
    if r.assessment.latest_is_change {
        format!("{}%", number(projection, 2))
    } else {
        value(projection)
    }
}

/// The target as the plan states it, in the table's unit.
pub(super) fn target_text(r: &IndicatorResult) -> String {
    let Some(target) = r.target_value else {
        return "定性目标".to_string();
    };
    match r.kind {
        TargetKind::AtLeast => value(target),
        TargetKind::AtMost => format!("≤{}", value(target)),
        TargetKind::Maintain => match r.better {
            Better::Higher => format!("≥{}", value(target)),
            Better::Lower => format!("≤{}", value(target)),
        },
        TargetKind::PerYear => format!("每年{}", value(target)),
        TargetKind::Cumulative => format!("累计{}", value(target)),
        TargetKind::AvgGrowth => format!("年均增长{}%", number(target, 2)),
        TargetKind::RelativeChange if target < 0.0 => format!("累计降低{}%", number(-target, 2)),
        TargetKind::RelativeChange if target > 0.0 => format!("累计提高{}%", number(target, 2)),
        TargetKind::RelativeChange => "零增长".to_string(),
        TargetKind::Qualitative => "定性目标".to_string(),
    }
}

/// What a lagging indicator still needs, in one sentence (empty when nothing is computable).
pub(super) fn need_sentence(r: &IndicatorResult) -> String {
    let a = &r.assessment;
    let after = a.latest_year.map_or(r.target_year, |y| y + 1);
    // Growth still needed only makes sense while years remain.
    if after <= r.target_year {
        let one_year = after == r.target_year;
        let span = if one_year {
            format!("{}年", r.target_year)
        } else {
            format!("{after}—{}年", r.target_year)
        };
        let yearly = if one_year { "" } else { "年均" };
        let achieved = a
            .growth_achieved
            .map(|g| format!("（此前年均{}）", signed_growth(g)))
            .unwrap_or_default();
        if let Some(required) = a.required_growth {
            return format!("{span}需{yearly}{}{achieved}", signed_growth(required));
        }
        if let Some(per_year) = a.required_per_year {
            let each = if one_year { "" } else { "每年" };
            return format!("{span}{each}需完成{}", with_unit(per_year, &r.unit));
        }
    }
    match (r.kind, r.target_value, a.latest_value) {
        (TargetKind::AtMost, Some(cap), Some(latest)) if latest > cap => {
            format!("需降至上限{}以内", with_unit(cap, &r.unit))
        }
        (TargetKind::Maintain, Some(level), Some(latest)) => match r.better {
            Better::Higher if latest < level => {
                format!("需恢复到不低于{}", with_unit(level, &r.unit))
            }
            Better::Lower if latest > level => {
                format!("需回落到不高于{}", with_unit(level, &r.unit))
            }
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// A growth rate in words: "增长3.5%" or "下降0.25%".
pub(super) fn signed_growth(percent: f64) -> String {
    if percent < 0.0 {
        format!("下降{}%", number(-percent, 2))
    } else {
        format!("增长{}%", number(percent, 2))
    }
}

/// A target with its unit where the unit applies to the target figure.
pub(super) fn target_with_unit(r: &IndicatorResult) -> String {
    let text = target_text(r);
    match r.kind {
        TargetKind::AtLeast
        | TargetKind::AtMost
        | TargetKind::Maintain
        | TargetKind::PerYear
        | TargetKind::Cumulative => format!("{text}{}", r.unit),
        _ => text,
    }
}

/// Time elapsed of the plan period at `year` ("60%").
pub(super) fn plan_time_elapsed(evaluation: &PlanEvaluation) -> String {
    let plan = &evaluation.plan;
    percent(period_elapsed(
        plan.base_year,
        plan.period_end,
        evaluation.year,
    ))
}

/// "绿灯4项、黄灯2项、红灯1项、灰灯3项".
pub(super) fn counts_sentence(counts: &StatusCounts) -> String {
    Status::ALL
        .iter()
        .map(|s| format!("{}{}项", s.label_zh(), counts.get(*s)))
        .collect::<Vec<_>>()
        .join("、")
}
