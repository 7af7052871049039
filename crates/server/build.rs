//! Builds the web UI (ui/, TypeScript + Vite) into `$OUT_DIR/ui` for embedding, so that
//! `cargo build` / `cargo run` / `cargo test` are the only steps on a fresh machine.
//!
//! - Runs `npm ci` when `ui/node_modules` is missing or older than `ui/package-lock.json`,
//!   then `npm run build` into `$OUT_DIR/ui`. Cargo reruns this only when the UI's sources
//!   change.
//! - `KINSIGHT_UI_DIST=DIR` embeds an already built UI instead (packagers, offline builds).
//! - Without npm (or when the build fails) the binary still builds: it embeds a page that
//!   says why the UI is missing, and a cargo warning says the same. The API and /metrics
//!   work either way; the browser tests fail loudly on that page.
//! - Several builds may run at once (other target directories): a lock directory in ui/
//!   keeps them from running npm in the same tree together.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let ui = manifest.join("../../ui").canonicalize().unwrap_or_else(|_| manifest.join("../../ui"));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("ui");
    println!("cargo:rerun-if-env-changed=KINSIGHT_UI_DIST");
    for p in ["src", "index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json"] {
        println!("cargo:rerun-if-changed={}", ui.join(p).display());
    }
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("creating OUT_DIR/ui");

    if let Ok(dist) = std::env::var("KINSIGHT_UI_DIST") {
        if let Err(e) = copy_dir(Path::new(&dist), &out) {
            fallback(&out, &format!("KINSIGHT_UI_DIST={dist} could not be copied: {e}"));
        }
        return;
    }
    if !ui.join("package.json").is_file() {
        fallback(&out, &format!("the UI sources were not found at {}", ui.display()));
        return;
    }
    if Command::new("npm").arg("--version").output().is_err() {
        fallback(&out, "npm was not found: install Node.js (18 or newer) and npm, then rebuild (on Debian: apt-get install nodejs npm)");
        return;
    }
    let _lock = match Lock::take(&ui.join(".build-lock")) {
        Ok(l) => l,
        Err(e) => {
            fallback(&out, &e);
            return;
        }
    };
    if needs_install(&ui) {
        if let Err(e) = run(&ui, &["ci", "--no-audit", "--no-fund", "--loglevel=error"]) {
            fallback(&out, &format!("`npm ci` in {} failed: {e}", ui.display()));
            return;
        }
    }
    let out_arg = out.display().to_string();
    if let Err(e) = run(&ui, &["run", "build", "--", "--outDir", &out_arg, "--emptyOutDir"]) {
        fallback(&out, &format!("`npm run build` in {} failed: {e}", ui.display()));
    }
}

fn needs_install(ui: &Path) -> bool {
    let stamp = ui.join("node_modules/.package-lock.json");
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
    !stamp.is_file() || mtime(&stamp) < mtime(&ui.join("package-lock.json"))
}

fn run(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("npm").args(args).current_dir(dir).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        Err(format!("{}\n{}", out.status, tail.into_iter().rev().collect::<Vec<_>>().join("\n")))
    }
}

/// The page embedded when the UI could not be built.
fn fallback(out: &Path, why: &str) {
    println!("cargo:warning=kinsight web UI not built: {}", why.lines().next().unwrap_or(why));
    for line in why.lines().skip(1).take(30) {
        println!("cargo:warning=  {line}");
    }
    let why = why.replace('&', "&amp;").replace('<', "&lt;");
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"kinsight-ui\" content=\"missing\"><title>kinsight</title></head>\
         <body style=\"font-family:sans-serif;max-width:50em;margin:3em auto\"><h1>kinsight: the web UI was not built</h1>\
         <p>This binary was compiled without its web UI:</p><pre style=\"white-space:pre-wrap\">{why}</pre>\
         <p>The JSON API works: <a href=\"/api/openapi.json\">/api/openapi.json</a>, <a href=\"/api/status\">/api/status</a>, <a href=\"/metrics\">/metrics</a>.</p></body></html>"
    );
    fs::write(out.join("index.html"), html).expect("writing the fallback page");
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A directory created atomically; removed on drop. A lock older than ten minutes is taken
/// to be left over from a killed build.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Result<Lock, String> {
        let started = Instant::now();
        loop {
            match fs::create_dir(path) {
                Ok(()) => return Ok(Lock(path.to_path_buf())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).unwrap_or_default();
                    if age > Duration::from_secs(600) {
                        let _ = fs::remove_dir(path);
                        continue;
                    }
                    if started.elapsed() > Duration::from_secs(900) {
                        return Err(format!("another build held {} for 15 minutes", path.display()));
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}
