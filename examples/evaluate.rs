//! JSON in, JSON out: evaluate a checkout against a program.
//!
//! ```sh
//! cargo run --example evaluate -- PROGRAM_FILE CHECKOUT_FILE
//! cargo run --example evaluate            # the samples in examples/data/
//! ```
//!
//! The program may be JSON (`.json`) or TOML (`.toml`); the checkout is
//! JSON. The evaluation is printed as pretty JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use loyalty::evaluate::Checkout;
use loyalty::program::{Program, ProgramDefinition};

fn read_program(path: &Path) -> Result<ProgramDefinition, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parsed = if path.extension().is_some_and(|e| e == "toml") {
        toml::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("{}: {e}", path.display()))
}

fn run(program_path: &Path, checkout_path: &Path) -> Result<String, String> {
    let program = Program::new(read_program(program_path)?)
        .map_err(|e| format!("{}: {e}", program_path.display()))?;
    let text = std::fs::read_to_string(checkout_path)
        .map_err(|e| format!("{}: {e}", checkout_path.display()))?;
    let checkout: Checkout =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", checkout_path.display()))?;
    let evaluation = program.evaluate(&checkout).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&evaluation).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let (program, checkout) = match args.as_slice() {
        [] => (data.join("program.json"), data.join("checkout.json")),
        [program, checkout] => (program.clone(), checkout.clone()),
        _ => {
            eprintln!("usage: cargo run --example evaluate -- PROGRAM_FILE CHECKOUT_FILE");
            return ExitCode::from(2);
        }
    };
    match run(&program, &checkout) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
