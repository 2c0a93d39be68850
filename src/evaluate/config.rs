//! The configuration file (`planeval.toml`): thresholds of the evaluation,
//! validated once when read. Every field has a documented default.

use super::rules::Thresholds;
use crate::error::{Error, Result};
use crate::store::catalog::toml_error;
use serde::Deserialize;
use std::path::Path;

/// The default configuration file name, looked up in the current directory.
pub const DEFAULT_FILE: &str = "planeval.toml";

/// Everything configurable.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Status thresholds (see docs/method.md).
    #[serde(default)]
    pub thresholds: Thresholds,
}

impl Config {
    /// Reads `path`, or `planeval.toml` in the current directory when no path is
    /// given and it exists, or the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let path = match path {
            Some(path) => path.to_path_buf(),
            None if Path::new(DEFAULT_FILE).exists() => DEFAULT_FILE.into(),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let config: Config = toml::from_str(&text)
            .map_err(|e| toml_error(&path.display().to_string(), &text, &e))?;
        config.validate(&path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let t = &self.thresholds;
        let fail = |field: &str, message: &str| Error::Catalog {
            file: path.display().to_string(),
            line: None,
            field: Some(format!("thresholds.{field}")),
            message: message.to_string(),
        };
        if !(0.0..=t.green_from).contains(&t.yellow_from) {
            return Err(fail("yellow_from", "must be between 0 and green_from"));
        }
        if !(0.0..=t.cagr_on_track).contains(&t.cagr_acceleration) {
            return Err(fail(
                "cagr_acceleration",
                "must be between 0 and cagr_on_track",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_validated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planeval.toml");
        std::fs::write(
            &path,
            "[thresholds]\ngreen_from = 1.0\nyellow_from = 1.2\ncagr_on_track = 0.95\ncagr_acceleration = 0.6\n",
        )
        .unwrap();
        let err = Config::load(Some(&path)).unwrap_err();
        let Error::Catalog { file, field, .. } = &err else {
            panic!("not a configuration error: {err:?}");
        };
        assert_eq!(file, &path.display().to_string());
        assert_eq!(field.as_deref(), Some("thresholds.yellow_from"));
        assert!(
            err.to_string().contains("must be between 0 and green_from"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planeval.toml");
        std::fs::write(&path, "[thresholds]\ngreen = 1.0\n").unwrap();
        let err = Config::load(Some(&path)).unwrap_err();
        let Error::Catalog { file, message, .. } = &err else {
            panic!("not a configuration error: {err:?}");
        };
        assert_eq!(file, &path.display().to_string());
        assert!(message.starts_with("unknown field `green`"), "{message}");
    }
}
