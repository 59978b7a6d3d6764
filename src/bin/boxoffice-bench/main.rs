//! boxoffice-bench: the ticket-opening rush, measured and checked (see BENCHMARKS.md).

fn main() {
    eprintln!("boxoffice-bench: not built yet");
    std::process::exit(2);
}
