//! Publishing: the report context built from an evaluation, rendered to HTML
//! through templates and to PDF through the layout engine.

pub mod chart;
pub mod pdf;
