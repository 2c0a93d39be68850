//! The office's commentary, written in Markdown, turned into HTML for the report.
//!
//! The commentary is prose, not markup: any HTML in it is shown as text, images
//! (which would be fetched from elsewhere, breaking the self-contained file) are
//! reduced to their alt text, links keep only safe schemes, and headings are moved
//! below the report's own heading levels so they never break its outline.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Renders commentary Markdown to an HTML fragment that is safe to insert as is.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut in_dropped_link = false;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        // An HTML block becomes a paragraph of its (escaped) source text.
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        Event::Start(Tag::Link { ref dest_url, .. }) if !is_safe_link(dest_url) => {
            in_dropped_link = true;
            None
        }
        Event::End(TagEnd::Link) if in_dropped_link => {
            in_dropped_link = false;
            None
        }
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(demote(level)))),
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut out, events);
    out
}

/// Commentary sits under a chapter heading (h3) and its block heading (h4).
fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Web and mail links and anchors inside the report; never `javascript:` or `data:`.
fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:", "#"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

/// The commentary as plain paragraphs for the PDF: text only (no markup), one
/// string per paragraph, heading or list item, in order.
pub fn plain_paragraphs(markdown: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for event in Parser::new(markdown) {
        match event {
            // Raw HTML is prose too: the HTML edition shows it as text.
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                current.push_str(&text)
            }
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                let text = current.trim().to_string();
                if !text.is_empty() {
                    paragraphs.push(text);
                }
                current.clear();
            }
            _ => {}
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        paragraphs.push(rest.to_string());
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_in_commentary_is_shown_as_text() {
        let html = to_html("正文<script>alert(1)</script>\n\n<div onclick=x>块</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn unsafe_links_and_images_are_reduced_to_text() {
        let html = to_html(
            "[点我](javascript:alert(1)) ![图](http://x/y.png) [官网](https://example.org)",
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("点我") && html.contains("图"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.org\">官网</a>"),
            "{html}"
        );
    }

    #[test]
    fn headings_are_demoted_below_the_report_outline() {
        assert_eq!(to_html("# 标题\n"), "<h5>标题</h5>\n");
    }

    #[test]
    fn plain_paragraphs_keep_text_and_drop_markup() {
        let text = "## 进展\n\n**总体**平稳，<b>好</b>。\n\n- 一项\n- 两项\n";
        assert_eq!(
            plain_paragraphs(text),
            ["进展", "总体平稳，<b>好</b>。", "一项", "两项"]
        );
    }
}
