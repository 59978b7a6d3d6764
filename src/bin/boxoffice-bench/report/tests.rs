//! The report's JSON shape and verdicts, from a made-up run.

use serde_json::{Value, json};

use super::*;
use crate::scenarios::Phase;
use crate::stats::Stats;

const SHAPE: RunShape = RunShape {
    scenario: "purchase",
    users: 10,
    concurrency: 4,
};

/// Setup: 10 admin calls in 1 s. Purchase phase, 2 s: 7 holds of 10 ms (3 lost), 4 pays.
fn run_with(flow_errors: &[(Endpoint, ErrorKey)], checks: Vec<Check>) -> RunResult {
    let setup = Stats::default();
    for _ in 0..10 {
        setup.answered(Endpoint::Admin, Duration::from_millis(2));
    }
    let flow = Stats::default();
    for _ in 0..7 {
        flow.answered(Endpoint::Hold, Duration::from_millis(10));
    }
    for _ in 0..3 {
        flow.failed(Endpoint::Hold, ErrorKey::http(409, "seat_unavailable"));
    }
    for _ in 0..4 {
        flow.answered(Endpoint::Pay, Duration::from_millis(20));
    }
    for (endpoint, key) in flow_errors {
        flow.failed(*endpoint, key.clone());
    }
    let mut run = RunResult {
        phases: vec![
            Phase {
                name: "setup",
                is_setup: true,
                elapsed: Duration::from_secs(1),
                stats: setup.snapshot(),
            },
            Phase {
                name: "purchase",
                is_setup: false,
                elapsed: Duration::from_secs(2),
                stats: flow.snapshot(),
            },
        ],
        checks,
        ..RunResult::default()
    };
    for _ in 0..4 {
        run.count(Outcome::Purchased);
        run.admitted_after(Duration::from_millis(1500));
    }
    for _ in 0..6 {
        run.count(Outcome::SoldOut);
    }
    run
}

fn ok(name: &'static str) -> Check {
    Check::new(name, true, "fine".into())
}

fn json_of(report: &Report) -> Value {
    serde_json::to_value(report.to_json()).unwrap()
}

#[test]
fn the_json_document_has_the_fields_ci_reads() {
    let report = Report::new(
        SHAPE,
        run_with(&[], vec![]),
        Some(Ok(vec![ok("no_seat_sold_twice")])),
    );
    let doc = json_of(&report);
    assert_eq!(doc["scenario"], "purchase");
    assert_eq!(doc["users"], 10);
    assert_eq!(doc["concurrency"], 4);
    assert_eq!(doc["durationSecs"], 2.0);
    assert_eq!(doc["setupSecs"], 1.0);
    assert_eq!(doc["purchases"], 4);
    assert_eq!(doc["purchasesPerSec"], 2.0);
    assert_eq!(doc["requests"]["hold"], json!({"count": 7, "perSec": 3.5}));
    assert_eq!(
        doc["requests"]["admin"],
        json!({"count": 10, "perSec": 10.0})
    );
    let hold = &doc["latencyMs"]["hold"];
    for field in ["p50", "p99", "max"] {
        let ms = hold[field].as_f64().unwrap();
        assert!((9.9..=10.1).contains(&ms), "{field} = {ms}");
    }
    assert_eq!(doc["errors"], json!({"409 seat_unavailable": 3}));
    assert_eq!(
        doc["errorsByEndpoint"],
        json!({"hold": {"409 seat_unavailable": 3}})
    );
    assert_eq!(doc["outcomes"], json!({"purchased": 4, "sold_out": 6}));
    assert_eq!(doc["invariants"], json!({"no_seat_sold_twice": true}));
    assert_eq!(doc["phasesSecs"], json!({"setup": 1.0, "purchase": 2.0}));
    assert!(doc["admissionWaitMs"]["p50"].as_f64().unwrap() > 1400.0);
    assert_eq!(doc["passed"], true);
    assert!(doc.get("invariantError").is_none());
}

#[test]
fn expected_conflicts_do_not_fail_the_run() {
    let report = Report::new(SHAPE, run_with(&[], vec![ok("one_hold_per_seat")]), None);
    assert_eq!(report.verdict(), Verdict::Passed);
    let text = report.to_string();
    assert!(text.ends_with("PASS\n"), "{text}");
    assert!(text.contains("purchases: 4 (2.0/s)"), "{text}");
}

#[test]
fn a_5xx_fails_the_run() {
    let errors = [(Endpoint::Pay, ErrorKey::http(500, "internal"))];
    let report = Report::new(SHAPE, run_with(&errors, vec![]), None);
    assert_eq!(report.verdict(), Verdict::Failed);
    assert_eq!(json_of(&report)["passed"], false);
    assert!(
        report
            .to_string()
            .contains("FAIL: 1 requests got a 5xx or no answer")
    );
}

#[test]
fn a_request_without_an_answer_fails_the_run() {
    let errors = [(Endpoint::Hold, ErrorKey::transport("timeout"))];
    let report = Report::new(SHAPE, run_with(&errors, vec![]), None);
    assert_eq!(report.verdict(), Verdict::Failed);
    assert_eq!(json_of(&report)["errors"]["transport timeout"], 1);
}

#[test]
fn a_broken_invariant_fails_the_run_and_is_named() {
    let broken = Check::new("points_conserved", false, "off by one".into());
    let report = Report::new(
        SHAPE,
        run_with(&[], vec![ok("one_hold_per_seat")]),
        Some(Ok(vec![broken])),
    );
    assert_eq!(report.verdict(), Verdict::Failed);
    let doc = json_of(&report);
    assert_eq!(
        doc["invariants"],
        json!({"one_hold_per_seat": true, "points_conserved": false})
    );
    assert_eq!(doc["invariantDetails"]["points_conserved"], "off by one");
    assert!(report.to_string().contains("FAIL: points_conserved broken"));
}

#[test]
fn unrunnable_database_checks_make_the_run_incomplete() {
    let report = Report::new(
        SHAPE,
        run_with(&[], vec![]),
        Some(Err(anyhow::anyhow!("connection refused"))),
    );
    assert_eq!(report.verdict(), Verdict::Incomplete);
    assert_eq!(json_of(&report)["invariantError"], "connection refused");
}

#[test]
fn a_run_with_no_requests_reports_zeros_not_nan() {
    let report = Report::new(SHAPE, RunResult::default(), None);
    let doc = json_of(&report);
    assert_eq!(doc["durationSecs"], 0.0);
    assert_eq!(doc["purchasesPerSec"], 0.0);
    assert_eq!(doc["requests"], json!({}));
}
