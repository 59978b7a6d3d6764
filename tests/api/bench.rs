//! The load generator against a server started here: a short `purchase` run on each back
//! end pair, failing on any broken invariant or server error. Timings are printed by the
//! tool, never asserted.

use std::process::Command;

use crate::helpers::{ADMIN_KEY, Backend, spawn_app_for};

const BENCH: &str = env!("CARGO_BIN_EXE_boxoffice-bench");

async fn short_purchase_run(backend: Backend) {
    let app = spawn_app_for(
        backend,
        &[
            ("APP_QUEUE__TICK_MS", "50"),
            ("APP_QUEUE__MIN_POLL_MS", "50"),
            ("APP_QUEUE__MAX_POLL_MS", "500"),
            ("APP_QUEUE__BATCH_SIZE", "200"),
        ],
    )
    .await;
    let url = format!("http://{}", app.address);
    let database_url = app.database_url.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(BENCH)
            .args(["purchase", "--url", &url, "--admin-key", ADMIN_KEY])
            .args([
                "--users",
                "300",
                "--seats",
                "120",
                "--concurrency",
                "32",
                "--duration",
                "20",
            ])
            .args([
                "--poll-scale",
                "0.5",
                "--database-url",
                &database_url,
                "--quiet",
            ])
            .output()
            .expect("run boxoffice-bench")
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "boxoffice-bench failed:\n{report}");
    assert!(
        report.contains("purchases: 120"),
        "every seat should sell:\n{report}"
    );
    app.assert_money_and_seats_add_up().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_purchase_rush_keeps_every_invariant_on_mariadb_and_redis() {
    short_purchase_run(Backend::MariaDb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_purchase_rush_keeps_every_invariant_on_sqlite_and_memory() {
    short_purchase_run(Backend::Sqlite).await;
}
