//! The SQLite store: opening the file, the plan catalog, observations, demo
//! data, the integrity checks, importing departments' figures, the history of
//! values, values still owed, and published report editions.

pub mod catalog;
pub mod check;
pub mod db;
pub mod demo;
pub mod departments;
pub mod editions;
pub mod history;
pub mod import;
pub mod missing;
pub mod observations;
pub mod plans;

pub use db::Store;
