//! Builds the BPF object: `vmlinux.h` from the build machine's kernel BTF (bpftool), then
//! `bpf/kinsight.bpf.c` with clang for the BPF target. When clang, bpftool or the kernel
//! BTF is missing, the crate still builds, without the object: cargo prints a warning and
//! kinsight reports "BPF unavailable" at run time and falls back to /proc.
//!
//! Overrides: `CLANG`, `BPFTOOL` (tool paths), `KINSIGHT_BTF` (a BTF file other than
//! /sys/kernel/btf/vmlinux), `KINSIGHT_VMLINUX_H` (a ready vmlinux.h: no bpftool needed),
//! `KINSIGHT_NO_BPF=1` (skip the BPF build).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    for f in ["bpf/kinsight.bpf.c", "bpf/kinsight.h", "bpf/probe.bpf.c"] {
        println!("cargo:rerun-if-changed={f}");
    }
    for v in ["CLANG", "BPFTOOL", "KINSIGHT_BTF", "KINSIGHT_VMLINUX_H", "KINSIGHT_NO_BPF"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo::rustc-check-cfg=cfg(kinsight_bpf)");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    match build(&out) {
        Ok(()) => println!("cargo:rustc-cfg=kinsight_bpf"),
        Err(why) => {
            println!("cargo:warning=kinsight-ebpf: BPF programs not built: {why}. kinsight will run live capture from /proc and cgroups only.");
            std::fs::write(out.join("bpf_unavailable.txt"), &why).expect("write to OUT_DIR");
        }
    }
}

/// A tool from the environment override, PATH, or the sbin directories (bpftool lives in
/// /usr/sbin on Debian, often not in a build's PATH).
fn tool(env: &str, name: &str) -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var("PATH").unwrap_or_default();
    for dir in path.split(':').chain(["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin"]) {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(format!("`{name}` not found (install it, e.g. `apt-get install {}`, or set {env})", if name == "bpftool" { "bpftool" } else { "clang" }))
}

fn build(out: &Path) -> Result<(), String> {
    if std::env::var_os("KINSIGHT_NO_BPF").is_some_and(|v| v != "0") {
        return Err("KINSIGHT_NO_BPF is set".into());
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" {
        return Err(format!("the syscall table is written for x86_64, not {arch}"));
    }
    let clang = tool("CLANG", "clang")?;
    let vmlinux_h = out.join("vmlinux.h");
    if let Ok(given) = std::env::var("KINSIGHT_VMLINUX_H") {
        std::fs::copy(&given, &vmlinux_h).map_err(|e| format!("KINSIGHT_VMLINUX_H={given}: {e}"))?;
    } else {
        let btf = std::env::var("KINSIGHT_BTF").unwrap_or_else(|_| "/sys/kernel/btf/vmlinux".into());
        if !Path::new(&btf).exists() {
            return Err(format!("no kernel BTF at {btf} (a kernel built with CONFIG_DEBUG_INFO_BTF is needed to generate vmlinux.h; set KINSIGHT_BTF or KINSIGHT_VMLINUX_H)"));
        }
        let bpftool = tool("BPFTOOL", "bpftool")?;
        let dump = Command::new(&bpftool)
            .args(["btf", "dump", "file", &btf, "format", "c"])
            .output()
            .map_err(|e| format!("running {}: {e}", bpftool.display()))?;
        if !dump.status.success() {
            return Err(format!("bpftool btf dump failed: {}", String::from_utf8_lossy(&dump.stderr).trim()));
        }
        std::fs::write(&vmlinux_h, &dump.stdout).map_err(|e| e.to_string())?;
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    // The programs, and the probes loaded one by one at start to learn what the kernel
    // accepts (bpf/probe.bpf.c).
    for name in ["kinsight", "probe"] {
        compile(&clang, out, &manifest, name)?;
    }
    Ok(())
}

/// Compiles `bpf/NAME.bpf.c` into `OUT_DIR/NAME.bpf.o`.
fn compile(clang: &Path, out: &Path, manifest: &Path, name: &str) -> Result<(), String> {
    let mut cmd = Command::new(clang);
    // -mcpu=v3: atomic exchange (kernel 5.12+), used to take counters without losing any.
    cmd.args(["-g", "-O2", "-mcpu=v3", "-Wall", "-target", "bpf", "-D__TARGET_ARCH_x86"])
        .arg("-I")
        .arg(out)
        .arg("-I")
        .arg(manifest.join("bpf"));
    // libbpf's BPF headers: the vendored copy libbpf-sys installs, else the system's.
    if let Ok(inc) = std::env::var("DEP_BPF_INCLUDE") {
        cmd.arg("-I").arg(inc);
    }
    let source = format!("bpf/{name}.bpf.c");
    let obj = out.join(format!("{name}.bpf.o"));
    cmd.arg("-c").arg(manifest.join(&source)).arg("-o").arg(&obj);
    let res = cmd.output().map_err(|e| format!("running {}: {e}", clang.display()))?;
    if !res.status.success() {
        return Err(format!("clang failed on {source}:\n{}", String::from_utf8_lossy(&res.stderr)));
    }
    // DWARF is not needed at run time (BTF is); drop it when llvm-strip is around.
    if let Ok(strip) = tool("LLVM_STRIP", "llvm-strip") {
        let _ = Command::new(strip).arg("-g").arg(&obj).status();
    }
    Ok(())
}
