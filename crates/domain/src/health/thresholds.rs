//! Thresholds of the health signals: department defaults, overridable as JSON by an administrator.

use serde::{Deserialize, Serialize};

/// Where each signal turns Watch and Alert. Ratios are in 0–1; durations in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Meetings held / expected below which the signal is Watch.
    pub meetings_watch: f64,
    /// … and Alert.
    pub meetings_alert: f64,
    /// Community attendance falling this many meetings in a row is an Alert (one fewer is Watch).
    pub attendance_declines: u32,
    /// The smaller side's share of attendance below which the signal is Watch.
    pub balance_watch: f64,
    /// … and Alert.
    pub balance_alert: f64,
    /// Promises kept (weaker side) below which the signal is Watch.
    pub promises_watch: f64,
    /// … and Alert.
    pub promises_alert: f64,
    /// Fewest promises due on a side before its rate is judged.
    pub promises_min_due: u32,
    /// Participation (weaker side) below which the decisions signal is Watch.
    pub participation_watch: f64,
    /// … and Alert.
    pub participation_alert: f64,
    /// Days in one SARA stage before the problems signal is Watch.
    pub stage_watch_days: i64,
    /// … and Alert.
    pub stage_alert_days: i64,
    /// Days a co-chair seat may stay vacant before an Alert (any vacancy is Watch).
    pub seat_vacant_alert_days: i64,
    /// Days before a term ends at which the leadership signal is Watch.
    pub term_ending_watch_days: i64,
    /// Under-represented groups at which representation is Watch.
    pub representation_watch: u32,
    /// … and Alert.
    pub representation_alert: u32,
    /// Members who left / active members above which churn is Watch.
    pub churn_watch: f64,
    /// … and Alert.
    pub churn_alert: f64,
    /// Median days to a first response on community reports above which the signal is Watch.
    pub report_watch_days: f64,
    /// … and Alert.
    pub report_alert_days: f64,
    /// Trust (0–100) below which the trust signal is Watch.
    pub trust_watch: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            meetings_watch: 0.8,
            meetings_alert: 0.5,
            attendance_declines: 3,
            balance_watch: 0.2,
            balance_alert: 0.1,
            promises_watch: 0.7,
            promises_alert: 0.5,
            promises_min_due: 3,
            participation_watch: 0.5,
            participation_alert: 0.3,
            stage_watch_days: 90,
            stage_alert_days: 180,
            seat_vacant_alert_days: 30,
            term_ending_watch_days: 60,
            representation_watch: 3,
            representation_alert: 6,
            churn_watch: 0.2,
            churn_alert: 0.35,
            report_watch_days: 14.0,
            report_alert_days: 30.0,
            trust_watch: 50.0,
        }
    }
}

/// Why a thresholds document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdsError {
    /// The field at fault (or `json`).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for ThresholdsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl Thresholds {
    /// Parses a JSON document (missing fields take the defaults) and checks it.
    pub fn parse(json: &str) -> Result<Thresholds, ThresholdsError> {
        let t: Thresholds = serde_json::from_str(json).map_err(|e| {
            let msg = e.to_string();
            // serde names the unknown or mistyped field in its message; keep it whole.
            ThresholdsError { field: "json".into(), reason: msg }
        })?;
        t.validate()?;
        Ok(t)
    }

    /// Checks ranges and that each Alert is stricter than its Watch.
    pub fn validate(&self) -> Result<(), ThresholdsError> {
        let err = |field: &str, reason: &str| Err(ThresholdsError { field: field.into(), reason: reason.into() });
        let ratios = [
            ("meetings_watch", self.meetings_watch),
            ("meetings_alert", self.meetings_alert),
            ("balance_watch", self.balance_watch),
            ("balance_alert", self.balance_alert),
            ("promises_watch", self.promises_watch),
            ("promises_alert", self.promises_alert),
            ("participation_watch", self.participation_watch),
            ("participation_alert", self.participation_alert),
            ("churn_watch", self.churn_watch),
            ("churn_alert", self.churn_alert),
        ];
        for (f, v) in ratios {
            if !(0.0..=1.0).contains(&v) {
                return err(f, "must be between 0 and 1");
            }
        }
        let below = [
            ("meetings_alert", self.meetings_alert, self.meetings_watch),
            ("balance_alert", self.balance_alert, self.balance_watch),
            ("promises_alert", self.promises_alert, self.promises_watch),
            ("participation_alert", self.participation_alert, self.participation_watch),
        ];
        for (f, a, w) in below {
            if a > w {
                return err(f, "must not be above its watch threshold");
            }
        }
        if self.churn_alert < self.churn_watch {
            return err("churn_alert", "must not be below its watch threshold");
        }
        if self.attendance_declines < 2 {
            return err("attendance_declines", "must be at least 2");
        }
        if self.stage_watch_days < 1 || self.stage_alert_days < self.stage_watch_days {
            return err("stage_alert_days", "must be at least the watch days, which must be positive");
        }
        if self.seat_vacant_alert_days < 0 || self.term_ending_watch_days < 0 {
            return err("seat_vacant_alert_days", "days must not be negative");
        }
        if self.representation_watch < 1 || self.representation_alert < self.representation_watch {
            return err("representation_alert", "must be at least the watch count, which must be positive");
        }
        if !(self.report_watch_days > 0.0 && self.report_alert_days >= self.report_watch_days) {
            return err("report_alert_days", "must be at least the watch days, which must be positive");
        }
        if !(0.0..=100.0).contains(&self.trust_watch) {
            return err("trust_watch", "must be between 0 and 100");
        }
        Ok(())
    }
}
