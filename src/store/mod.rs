//! The SQLite store: opening the file, the plan catalog, observations, demo
//! data, the integrity checks, and what the reports read (commentary, sources).

pub mod catalog;
pub mod check;
pub mod db;
pub mod demo;
pub mod observations;
pub mod plans;
pub mod reports;

pub use db::Store;
