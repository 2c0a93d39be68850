//! The SQLite store: opening the file, the plan catalog, observations, demo
//! data and the integrity checks.

pub mod catalog;
pub mod check;
pub mod db;
pub mod demo;
pub mod observations;
pub mod plans;

pub use db::Store;
