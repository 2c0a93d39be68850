//! The report templates: built into the binary from `report_templates/`, and
//! overridable file by file from a user's `--templates DIR` (as mdBook's theme
//! directory): a file present in DIR replaces the built-in one of the same name,
//! every other file stays built in. A file in DIR that is a link leading out
//! of DIR is refused ([`Folder`]).
//!
//! Templates run with strict undefined behaviour, so a misspelt field is an error
//! naming the file and line instead of a silent blank in a published report, and
//! with HTML auto-escaping for `.html` files, so every value prints as text.
//! The only markup they insert is planeval's own: `chart_svg(chart.id)` for a
//! chart drawn by the HTML renderer and `text | markdown` for commentary.

use super::folder::Folder;
use super::markdown;
use crate::error::{Error, Result};
use minijinja::value::merge_maps;
use minijinja::{AutoEscape, Environment, State, UndefinedBehavior, Value};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The markup the HTML renderer draws for one report, which templates insert
/// by name: each chart's SVG, by the chart's element id.
#[derive(Debug, Clone, Default)]
pub struct Markup {
    /// Inline SVG by chart id (every text in it escaped).
    pub charts: HashMap<String, String>,
}

/// The context variable that carries one report's [`Markup`] to `chart_svg`: the
/// environment is built once per run, the charts change with every report.
const CHARTS_VARIABLE: &str = "__planeval_chart_svg";

/// The built-in templates, by file name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../report_templates/base.html"),
    ),
    (
        "annual.html",
        include_str!("../../report_templates/annual.html"),
    ),
    (
        "midterm.html",
        include_str!("../../report_templates/midterm.html"),
    ),
    (
        "cover.html",
        include_str!("../../report_templates/cover.html"),
    ),
    ("toc.html", include_str!("../../report_templates/toc.html")),
    (
        "summary.html",
        include_str!("../../report_templates/summary.html"),
    ),
    (
        "chapter.html",
        include_str!("../../report_templates/chapter.html"),
    ),
    (
        "indicator_table.html",
        include_str!("../../report_templates/indicator_table.html"),
    ),
    (
        "lagging.html",
        include_str!("../../report_templates/lagging.html"),
    ),
    (
        "midterm_review.html",
        include_str!("../../report_templates/midterm_review.html"),
    ),
    (
        "chart.html",
        include_str!("../../report_templates/chart.html"),
    ),
    (
        "commentary.html",
        include_str!("../../report_templates/commentary.html"),
    ),
    (
        "method_notes.html",
        include_str!("../../report_templates/method_notes.html"),
    ),
    (
        "data_notes.html",
        include_str!("../../report_templates/data_notes.html"),
    ),
    (
        "edition_changes.html",
        include_str!("../../report_templates/edition_changes.html"),
    ),
    (
        "style.css",
        include_str!("../../report_templates/style.css"),
    ),
];

/// The template set of one rendering: built-in files plus the user's overrides.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    overrides: Option<Folder>,
    /// Made on the first render and kept: it holds each template parsed, so a
    /// batch of reports parses them once instead of once per report.
    environment: OnceLock<Environment<'static>>,
}

impl Templates {
    /// Built-in templates, overridden by the files of `dir` when given. An
    /// override that is a link leading out of `dir` is an error now, before
    /// any work is done.
    pub fn new(dir: Option<&Path>) -> Result<Templates> {
        let overrides = dir
            .map(|dir| Folder::open(dir, "--templates"))
            .transpose()?;
        let templates = Templates {
            overrides,
            environment: OnceLock::new(),
        };
        for (name, _) in BUILTIN {
            templates.override_path(name)?;
        }
        Ok(templates)
    }

    /// The user's file overriding `name`, if there is one. Names that could leave
    /// the directory are never looked up there.
    fn override_path(&self, name: &str) -> Result<Option<PathBuf>> {
        override_in(self.overrides.as_ref(), name)
    }

    /// How a template is named in error messages: the user's file, or the built-in one.
    fn display_name(&self, name: &str) -> String {
        match (&self.overrides, self.override_path(name)) {
            (Some(folder), Ok(Some(_))) => folder.shown(name).display().to_string(),
            _ => format!("report_templates/{name} (built in)"),
        }
    }

    /// Renders template `name` with `context`, `markup` supplying the charts.
    pub fn render<C: Serialize>(&self, name: &str, context: &C, markup: Markup) -> Result<String> {
        let env = self
            .environment
            .get_or_init(|| new_environment(self.overrides.clone()));
        let template = env.get_template(name).map_err(|e| self.error(name, &e))?;
        let charts: Value = markup
            .charts
            .into_iter()
            .map(|(id, svg)| (id, Value::from_safe_string(svg)))
            .collect();
        // The report's own fields win over the reserved name, which no template uses.
        let context = merge_maps([
            Value::from_serialize(context),
            Value::from_iter([(CHARTS_VARIABLE, charts)]),
        ]);
        template.render(context).map_err(|e| self.error(name, &e))
    }

    /// Turns a minijinja error into one naming the file, line and the failing
    /// expression. An error inside an included template arrives wrapped in the
    /// includer's error; the innermost one says where the problem really is.
    fn error(&self, requested: &str, error: &minijinja::Error) -> Error {
        let mut innermost = error;
        let mut cause = std::error::Error::source(error);
        let mut other_causes = Vec::new();
        while let Some(inner) = cause {
            match inner.downcast_ref::<minijinja::Error>() {
                Some(template_error) => innermost = template_error,
                None => other_causes.push(inner.to_string()),
            }
            cause = inner.source();
        }
        let mut message = innermost.kind().to_string();
        if let Some(detail) = innermost.detail() {
            message.push_str(": ");
            message.push_str(detail);
        }
        // A syntax error's span is the token where parsing stopped, which says
        // little; for other errors it is the expression that failed.
        let snippet = (innermost.kind() != minijinja::ErrorKind::SyntaxError)
            .then(|| innermost.template_source().zip(innermost.range()))
            .flatten()
            .and_then(|(source, range)| source.get(range))
            .filter(|s| !s.trim().is_empty());
        if let Some(snippet) = snippet {
            message.push_str(&format!(" (in `{}`)", snippet.trim()));
        }
        for cause in other_causes {
            message.push_str(&format!(": {cause}"));
        }
        Error::Template {
            file: self.display_name(innermost.name().unwrap_or(requested)),
            line: innermost.line(),
            message,
        }
    }
}

/// The SVG of chart `id` of the report being rendered.
fn chart_svg(state: &State, id: &str) -> std::result::Result<Value, minijinja::Error> {
    state
        .lookup(CHARTS_VARIABLE)
        .and_then(|charts| charts.get_attr(id).ok())
        .filter(|svg| !svg.is_undefined())
        .ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("no chart `{id}` in this report"),
            )
        })
}

/// A minijinja environment loading the built-in templates and the overrides
/// in `overrides`, each the first time it is asked for.
fn new_environment(overrides: Option<Folder>) -> Environment<'static> {
    let mut env = Environment::new();
    // Keeps the template source and failing span in errors (off by default in
    // release builds), so messages can quote the expression that failed.
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Keeps the output compact and identical whatever the editor did to line ends.
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_function("chart_svg", chart_svg);
    // Commentary is Markdown with HTML disabled: its output is safe markup.
    env.add_filter("markdown", |text: &str| {
        Value::from_safe_string(markdown::to_html(text))
    });
    env.set_loader(move |name| {
        let unreadable =
            |e: String| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e);
        match override_in(overrides.as_ref(), name).map_err(|e| unreadable(e.to_string()))? {
            Some(path) => std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| unreadable(format!("cannot read {}: {e}", path.display()))),
            None => Ok(BUILTIN
                .iter()
                .find(|(builtin, _)| *builtin == name)
                .map(|(_, source)| source.to_string())),
        }
    });
    env
}

/// The file in `overrides` overriding template `name`, if there is one. Names
/// that could leave the directory are never looked up there.
fn override_in(overrides: Option<&Folder>, name: &str) -> Result<Option<PathBuf>> {
    let Some(folder) = overrides else {
        return Ok(None);
    };
    let plain = !name.is_empty()
        && Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Ok(None);
    }
    folder.file(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_file_overrides_only_that_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chart.html"), "mine").unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        assert!(templates.override_path("chart.html").unwrap().is_some());
        assert!(templates.override_path("base.html").unwrap().is_none());
        assert!(templates.override_path("../chart.html").unwrap().is_none());
    }

    #[test]
    fn an_override_linking_out_of_the_folder_is_refused_up_front() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("passwd"), "root:x:0:0").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("passwd"), dir.path().join("style.css"))
            .unwrap();
        let err = Templates::new(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("style.css: a symbolic link to"), "{err}");
    }

    #[test]
    fn a_users_own_partial_linking_out_is_an_error_naming_it() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("annual.html"),
            "{% include \"mine.html\" %}",
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("mine.html"))
            .unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        let err = templates
            .render("annual.html", &(), Markup::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("mine.html: a symbolic link to"), "{err}");
        assert!(!err.contains("secret\""), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("annual.html"), "line one\n{% if %}\n").unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        let err = templates
            .render("annual.html", &(), Markup::default())
            .unwrap_err();
        match err {
            Error::Template { file, line, .. } => {
                assert!(file.ends_with("annual.html"), "{file}");
                assert_eq!(line, Some(2));
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn unknown_variables_are_errors_not_blanks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("annual.html"),
            "ok\n\n{{ report.nonexistent }}\n",
        )
        .unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        let context = serde_json::json!({"report": {"year": 2025}});
        let err = templates
            .render("annual.html", &context, Markup::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("annual.html, line 3"), "{err}");
        assert!(err.contains("report.nonexistent"), "{err}");
    }

    #[test]
    fn values_are_escaped_in_html_templates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("annual.html"), "{{ name }}").unwrap();
        let templates = Templates::new(Some(dir.path())).unwrap();
        let html = templates
            .render(
                "annual.html",
                &serde_json::json!({"name": "<script>"}),
                Markup::default(),
            )
            .unwrap();
        assert_eq!(html, "&lt;script&gt;");
    }
}
