//! The evaluation engine: targets and observations in, one verdict per
//! indicator out. `frame` does the table work in polars (validation, filtering,
//! grouping, roll-ups) for one plan or thousands at once; `rules` holds the pure
//! functions that assess one indicator; `config` the documented thresholds;
//! `input` loads a plan's input from the store.

pub mod config;
pub mod frame;
pub mod load;
pub mod result;
pub mod rules;

pub use config::Config;
pub use frame::{evaluate, EvaluationInput};
pub use load::load_input;
pub use result::{
    DataProblem, IndicatorResult, Method, OfficeVerdict, PlanEvaluation, RollUps, StatusCounts,
};
pub use rules::{Status, Thresholds};
