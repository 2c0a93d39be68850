//! The evaluation engine: targets and observations in, one verdict per
//! indicator out. `frame` does the table work in polars (validation, filtering,
//! grouping, roll-ups) for one plan or thousands at once; `rules` holds the pure
//! functions that assess one indicator; `path` the planned path year by year;
//! `config` the documented thresholds;
//! the input comes from the store's snapshot (`store::snapshot`).

pub mod config;
pub mod frame;
pub mod path;
pub mod result;
pub mod rules;

pub use config::Config;
pub use frame::evaluate;
pub use result::{DataProblem, IndicatorResult, PlanEvaluation, RollUps, StatusCounts};
pub use rules::{Status, Thresholds};
