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

#[test]
fn demo_seeds_the_embedded_store_and_prints_a_walk_through() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("bo-demo-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(BINARY)
        .arg("demo")
        .current_dir(&dir)
        .env_clear()
        .env("APP_SERVER__PORT", "0")
        .env("APP_LOG__FILTER", "off")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run boxoffice demo");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let line = line.trim_end().to_owned();
        let done = line.starts_with("API docs:");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with("http://") && word.contains("/api/point/"))
        .expect("a balance URL in the walk-through")
        .to_owned();
    let body = plain_http::get(&url);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        text.contains("/api/queue/") && text.contains("/pay"),
        "{text}"
    );
    assert!(body.contains("\"amount\":300000"), "{body}");
    assert!(
        dir.join("boxoffice.db").exists(),
        "the demo uses the embedded SQLite default"
    );
}

mod plain_http {
    /// A plain HTTP GET without an async runtime (this test drives a child process).
    pub fn get(url: &str) -> String {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = std::net::TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}
