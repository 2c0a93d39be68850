//! The evaluation engine: targets and observations in, one verdict per
//! indicator out. `frame` does the table work in polars (validation, filtering,
//! grouping) for one plan or thousands at once; `rules` holds the pure
//! functions that assess one indicator, one file per family of targets;
//! `rollup` counts the lights; `path` the planned path year by year; `result`
//! is what the report layer reads; `config` the documented thresholds. The
//! input comes from the store's snapshot (`store::snapshot`).

pub mod config;
pub mod frame;
pub mod path;
pub mod result;
pub mod rollup;
pub mod rules;

pub use config::Config;
pub use frame::evaluate;
pub use result::{DataProblem, IndicatorResult, Method, PlanEvaluation};
pub use rollup::{RollUps, StatusCounts};
pub use rules::{Status, Thresholds};
