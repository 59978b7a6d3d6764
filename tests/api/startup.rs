//! The binary: command line, configuration layering and start-up failures.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_boxoffice");

fn run(args: &[&str], vars: &[(&str, &str)]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(BINARY)
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .env("APP_LOG__FILTER", "off")
        .output()
        .expect("run the boxoffice binary");
    (output, started.elapsed())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_explains_serve_and_migrate() {
    let (output, _) = run(&["--help"], &[]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("serve") && text.contains("migrate"), "{text}");
}

#[test]
fn an_unreachable_database_is_one_line_naming_it_without_the_password() {
    let (output, elapsed) = run(
        &["serve"],
        &[(
            "APP_DATABASE__URL",
            "mysql://root:hunter2@127.0.0.1:1/boxoffice",
        )],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}

#[test]
fn an_unreachable_redis_is_one_line_naming_it_without_the_password() {
    let dir = std::env::temp_dir().join(format!("bo-startup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/x.db?mode=rwc", dir.display());
    let (output, _) = run(
        &["serve"],
        &[
            ("APP_DATABASE__URL", &db),
            ("APP_REDIS__URL", "redis://:hunter2@127.0.0.1:1/0"),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn migrate_applies_the_schema_and_exits() {
    let dir = std::env::temp_dir().join(format!("bo-migrate-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.db");
    let (output, _) = run(
        &["migrate"],
        &[(
            "APP_DATABASE__URL",
            &format!("sqlite://{}?mode=rwc", file.display()),
        )],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(file.exists());
}

#[test]
fn a_config_file_is_overridden_by_environment_variables() {
    let dir = std::env::temp_dir().join(format!("bo-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("boxoffice.toml");
    std::fs::write(
        &file,
        "[database]\nurl = \"mysql://root:pw@127.0.0.1:2/fromfile\"\n",
    )
    .unwrap();
    let fast = ("APP_DATABASE__ACQUIRE_TIMEOUT_SECS", "1");
    // The file's URL is used when no variable overrides it...
    let (output, _) = run(
        &["migrate"],
        &[("APP_CONFIG_FILE", file.to_str().unwrap()), fast],
    );
    assert!(
        stderr(&output).contains("127.0.0.1:2"),
        "{}",
        stderr(&output)
    );
    // ...and an APP_ variable wins over the file.
    let (output, _) = run(
        &["migrate"],
        &[
            ("APP_CONFIG_FILE", file.to_str().unwrap()),
            ("APP_DATABASE__URL", "mysql://root@127.0.0.1:3/fromenv"),
        ],
    );
    assert!(
        stderr(&output).contains("127.0.0.1:3"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_setting_is_refused_at_start() {
    let (output, _) = run(&["migrate"], &[("APP_QUEUE__CAPACITY", "lots")]);
    assert_eq!(output.status.code(), Some(1));
    let (output, _) = run(&["migrate"], &[("APP_AUTH__IDENTITY", "jwt")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("identity_secret"),
        "{}",
        stderr(&output)
    );
}
