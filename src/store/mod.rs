//! The SQLite store: opening the file, the plan catalog, observations, demo
//! data, the integrity checks, and published report editions.

pub mod catalog;
pub mod check;
pub mod db;
pub mod demo;
pub mod editions;
pub mod observations;
pub mod plans;

pub use db::Store;
