//! Renders a realistic sample monitoring report (demo data) to /tmp/sample.pdf
//! and prints the time taken, including font parsing, and the file size.
//!
//! Run with `cargo run --release --example sample`.

use std::time::Instant;

use planeval::report::chart::{Chart, ProgressBar, ProgressChart, Rgb, TrendChart};
use planeval::report::pdf::{
    render, Align, Block, Cell, Column, Document, FontSet, Meta, ParagraphStyle, Table,
};

const GREEN: Rgb = Rgb(0x2e, 0x7d, 0x32);
const YELLOW: Rgb = Rgb(0xf2, 0xb7, 0x05);
const RED: Rgb = Rgb(0xc6, 0x28, 0x28);

const CHAPTERS: [(&str, [&str; 2]); 13] = [
    ("总体进展情况", ["规划实施的总体态势", "主要指标完成情况"]),
    ("经济发展质量", ["经济运行总体平稳", "产业结构持续优化"]),
    ("创新驱动发展", ["科技创新能力提升", "数字经济加快发展"]),
    ("城乡区域协调", ["新型城镇化稳步推进", "乡村振兴全面实施"]),
    ("改革开放深化", ["重点领域改革突破", "高水平对外开放"]),
    ("绿色低碳转型", ["生态环境质量改善", "资源能源利用效率"]),
    ("民生福祉增进", ["就业和收入", "教育医疗和社会保障"]),
    ("文化繁荣发展", ["公共文化服务体系", "文化产业发展"]),
    ("安全发展保障", ["粮食和能源安全", "安全生产和应急管理"]),
    ("基础设施建设", ["交通网络完善", "新型基础设施布局"]),
    ("重大项目推进", ["重大项目总体进展", "滞后项目原因分析"]),
    ("存在的主要问题", ["指标层面的问题", "体制机制层面的问题"]),
    ("下一步工作建议", ["强化规划统筹", "加强监测评估"]),
];

const SENTENCES: [&str; 10] = [
    "规划实施以来，全区坚持以习近平新时代中国特色社会主义思想为指导，完整、准确、全面贯彻新发展理念，统筹发展和安全，各项目标任务总体进展顺利。",
    "2024年全区地区生产总值达到1532.6亿元，按可比价格计算比上年增长5.8%，高于全市平均水平0.6个百分点。",
    "截至2024年底，纳入监测的47项主要指标中，32项进度符合或快于预期，9项基本符合预期，6项进度滞后，需要在后续年份加大推进力度。",
    "研究与试验发展（R&D）经费投入强度提高到3.15%，每万人口高价值发明专利拥有量达到18.7件，国家级高新技术企业净增126家。",
    "城镇调查失业率控制在5.5%以内，居民人均可支配收入年均增长6.1%，与经济增长基本同步。",
    "单位地区生产总值能耗累计下降11.2%，细颗粒物（PM2.5）年均浓度降至29微克/立方米，地表水达到或好于Ⅲ类水体比例为86.4%。",
    "“十四五”规划确定的128个重大项目中，已开工115个，开工率89.8%；累计完成投资2346.8亿元，占计划总投资的61.3%。",
    "部分指标受外部环境变化和新冠疫情等因素影响，进度低于时间进度，如每千人口拥有3岁以下婴幼儿托位数、单位GDP二氧化碳排放降低等。",
    "下一步，要坚持目标导向和问题导向相结合，聚焦滞后指标和薄弱环节，细化年度任务，压实部门责任，确保规划目标如期实现。",
    "监测结果显示，Key Performance Indicators（KPI）体系运行平稳，数据采集覆盖率达到100%，平均报送时效由15个工作日缩短至7个工作日。",
];

fn paragraph(seed: usize, sentences: usize) -> Block {
    let text: String = (0..sentences)
        .map(|k| SENTENCES[(seed * 3 + k * 7) % SENTENCES.len()])
        .collect();
    Block::Paragraph {
        text,
        style: ParagraphStyle::Body,
    }
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        mark: None,
    }
}

fn indicator_table() -> Table {
    let names = [
        "地区生产总值年均增速",
        "全员劳动生产率增长",
        "常住人口城镇化率",
        "研发经费投入强度",
        "每万人口高价值发明专利拥有量",
        "数字经济核心产业增加值占比",
        "居民人均可支配收入增长",
        "城镇调查失业率",
        "劳动年龄人口平均受教育年限",
        "每千人口拥有执业（助理）医师数",
        "基本养老保险参保率",
        "每千人口拥有3岁以下婴幼儿托位数",
        "人均预期寿命",
        "单位地区生产总值能源消耗降低",
        "单位地区生产总值二氧化碳排放降低",
        "地级及以上城市空气质量优良天数比率",
        "地表水达到或好于Ⅲ类水体比例",
        "森林覆盖率",
        "粮食综合生产能力",
        "能源综合生产能力",
    ];
    let units = ["%", "%", "%", "%", "件", "%", "%", "%", "年", "人"];
    let statuses = [
        (GREEN, "绿 正常"),
        (GREEN, "绿 正常"),
        (YELLOW, "黄 预警"),
        (GREEN, "绿 正常"),
        (RED, "红 滞后"),
    ];
    let rows = (0..60)
        .map(|i| {
            let (color, status) = statuses[i % statuses.len()];
            let base = 10.0 + (i as f64 * 7.3) % 90.0;
            let target = base * 1.25;
            let current = base + (target - base) * ((i % 7) as f64 / 6.0);
            vec![
                cell((i + 1).to_string()),
                cell(if i % 9 == 4 {
                    format!(
                        "{}（含新增统计口径调整后的可比数据）",
                        names[i % names.len()]
                    )
                } else {
                    names[i % names.len()].to_string()
                }),
                cell(units[i % units.len()]),
                cell(format!("{base:.1}")),
                cell(format!("{target:.1}")),
                cell(format!("{current:.1}")),
                Cell {
                    text: status.into(),
                    mark: Some(color),
                },
            ]
        })
        .collect();
    let col = |title: &str, width: f32, align: Align| Column {
        title: title.into(),
        width,
        align,
    };
    Table {
        caption: "表1 “十四五”规划主要指标监测情况（2024年）".into(),
        columns: vec![
            col("序号", 0.6, Align::Center),
            col("指标", 3.3, Align::Left),
            col("单位", 0.6, Align::Center),
            col("2020年\n基期值", 1.1, Align::Right),
            col("2025年\n目标值", 1.1, Align::Right),
            col("2024年\n实际值", 1.1, Align::Right),
            col("监测状态", 1.1, Align::Left),
        ],
        rows,
    }
}

fn progress_chart() -> Chart {
    let bars = [
        ("地区生产总值", 0.82, GREEN, "正常"),
        ("研发经费投入强度", 0.91, GREEN, "正常"),
        ("常住人口城镇化率", 0.64, YELLOW, "预警"),
        ("居民人均可支配收入", 0.78, GREEN, "正常"),
        ("每千人口婴幼儿托位数", 0.35, RED, "滞后"),
        ("单位GDP能耗降低", 1.12, GREEN, "超前"),
        ("单位GDP二氧化碳排放降低", -0.08, RED, "倒退"),
        ("森林覆盖率", 1.62, GREEN, "超前"),
    ];
    Chart::Progress(ProgressChart {
        title: "图1 主要指标目标完成进度与时间进度对比（截至2024年底）".into(),
        bars: bars
            .iter()
            .map(|(label, progress, color, status)| ProgressBar {
                label: (*label).into(),
                progress: *progress,
                elapsed: 0.8,
                color: *color,
                status_text: (*status).into(),
            })
            .collect(),
    })
}

fn trend_chart() -> Chart {
    Chart::Trend(TrendChart {
        title: "图2 地区生产总值实际值与规划路径".into(),
        unit: "亿元".into(),
        years: (2020..=2025).collect(),
        actual: vec![
            Some(1120.4),
            Some(1218.7),
            Some(1286.0),
            Some(1409.3),
            Some(1532.6),
            None,
        ],
        planned: vec![
            Some(1120.4),
            Some(1196.6),
            Some(1278.0),
            Some(1364.9),
            Some(1457.7),
            Some(1556.8),
        ],
        target: Some((2025, 1556.8)),
    })
}

fn document() -> Document {
    let mut blocks = vec![
        Block::Cover {
            title: "某区国民经济和社会发展第十四个五年规划纲要实施情况监测报告".into(),
            subtitle: "（2024年度）".into(),
            lines: vec!["某区发展和改革委员会".into(), "2025年3月".into()],
            notice: Some(
                "说明：本报告中的全部数据均为演示数据，仅用于展示报告版式，不代表任何地区的真实统计结果。"
                    .into(),
            ),
        },
        Block::TableOfContents,
    ];
    for (c, (chapter, sections)) in CHAPTERS.iter().enumerate() {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("第{}章 {}", to_chinese(c + 1), chapter),
        });
        blocks.push(paragraph(c, 3));
        for (s, section) in sections.iter().enumerate() {
            blocks.push(Block::Heading {
                level: 2,
                text: format!("{}、{}", to_chinese(s + 1), section),
            });
            blocks.push(paragraph(c + s, 4));
            if c == 0 && s == 0 {
                blocks.push(Block::Paragraph {
                    text: "注意：本章所列指标数据为演示数据，请勿引用。".into(),
                    style: ParagraphStyle::Notice,
                });
            }
            if c == 0 && s == 1 {
                blocks.push(Block::Chart(progress_chart()));
                blocks.push(Block::Heading {
                    level: 3,
                    text: "（一）指标监测明细".into(),
                });
                blocks.push(paragraph(7, 2));
                blocks.push(Block::Table(indicator_table()));
                blocks.push(Block::Paragraph {
                    text: "资料来源：区统计局、区发展和改革委员会。状态判定：实际进度不低于时间进度为“正常”，低于时间进度10个百分点以内为“预警”，其余为“滞后”。".into(),
                    style: ParagraphStyle::Small,
                });
            }
            if c == 1 && s == 0 {
                blocks.push(Block::Chart(trend_chart()));
            }
            blocks.push(paragraph(c * 2 + s + 1, 3));
        }
    }
    Document {
        meta: Meta {
            title: "某区“十四五”规划纲要实施情况监测报告（2024年度）".into(),
            subject: "规划实施监测评估".into(),
            author: "某区发展和改革委员会".into(),
            language: "zh-CN".into(),
            running_header: "某区“十四五”规划纲要实施情况监测报告".into(),
            date: (2025, 3, 31),
        },
        blocks,
    }
}

/// 1..=99 in Chinese numerals (一, 十二, 二十).
fn to_chinese(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].into(),
        10..=19 => format!("十{}", if n > 10 { D[n % 10] } else { "" }),
        _ => format!(
            "{}十{}",
            D[n / 10],
            if !n.is_multiple_of(10) { D[n % 10] } else { "" }
        ),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let doc = document();
    let start = Instant::now();
    let fonts = FontSet::embedded_default()?;
    let parsed = start.elapsed();
    let missing = fonts.missing_glyphs(&doc);
    if !missing.is_empty() {
        eprintln!("warning: no glyph for {missing:?}");
    }
    let bytes = render(&doc, &fonts)?;
    std::fs::write("/tmp/sample.pdf", &bytes)?;
    let total = start.elapsed();
    println!(
        "wrote /tmp/sample.pdf: {} bytes ({:.1} KB); font parsing {:.1} ms; total {:.1} ms",
        bytes.len(),
        bytes.len() as f64 / 1024.0,
        parsed.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0
    );
    // A second render reuses the parsed fonts.
    let again = Instant::now();
    let fonts = FontSet::embedded_default()?;
    let second = render(&doc, &fonts)?;
    println!(
        "second render (fonts cached): {:.1} ms, identical: {}",
        again.elapsed().as_secs_f64() * 1000.0,
        second == bytes
    );
    Ok(())
}
