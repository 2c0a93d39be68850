//! The status light, the vocabulary the rules share with the report layer and
//! the store (which keeps it as text). It lives alone in this file because it is
//! the one rules type used outside the evaluation; its public path is
//! `crate::evaluate::rules::Status` (and `crate::evaluate::Status`).

use serde::{Deserialize, Serialize};

/// The status light of the plan's 红黄绿灯 monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 达到或快于序时进度.
    Green,
    /// 略慢于序时进度, within the tolerance.
    Yellow,
    /// 明显滞后, or a cap exceeded.
    Red,
    /// No data, or not assessable by rule.
    Grey,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 4] = [Status::Green, Status::Yellow, Status::Red, Status::Grey];

    /// The stored form ("green").
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
            Status::Grey => "grey",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The colour word (绿灯 …), so status never depends on colour alone.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Green => "绿灯",
            Status::Yellow => "黄灯",
            Status::Red => "红灯",
            Status::Grey => "灰灯",
        }
    }

    /// What the light means.
    pub fn meaning_zh(self) -> &'static str {
        match self {
            Status::Green => "达到或快于序时进度",
            Status::Yellow => "略慢于序时进度",
            Status::Red => "明显滞后",
            Status::Grey => "无数据或不按规则评价",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_reads_back() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        assert_eq!(Status::parse("Green"), None);
        assert_eq!(Status::parse(""), None);
    }
}
