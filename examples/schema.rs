//! Writes the JSON Schemas of program files and checkouts,
//! `program.schema.json` and `checkout.schema.json`, into the directory
//! given as the argument (default: the current one).
//!
//! ```text
//! cargo run --example schema --features schemars -- target/schema
//! ```

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    std::fs::create_dir_all(&dir)?;
    for (name, schema) in [
        ("program.schema.json", loyalty::schema::program()),
        ("checkout.schema.json", loyalty::schema::checkout()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(&schema)? + "\n")?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
