//! planeval: monitoring a five-year plan (规划纲要).
//!
//! The pipeline is visible in the modules: [`store`] keeps the plan catalog and
//! yearly observations in one SQLite file and reads a report's snapshot in one
//! transaction; `evaluate` turns it into progress and status per indicator;
//! `report` builds the format-neutral context and renders HTML and PDF without
//! touching the database; [`pipeline`] runs them in order (snapshot ->
//! evaluate -> context -> render -> write -> record the edition); [`model`]
//! holds the types they share; [`export`] gives the evaluation to people who
//! work in Excel. [`cmd`] wires the command line to them.

pub mod atomic;
pub mod cmd;
pub mod error;
pub mod evaluate;
pub mod export;
pub mod lock;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod store;
pub mod text;

pub use error::{Error, Result};
