//! `--kill-pid`: the one process the generator may end, and only a `live-mini` one.
//!
//! The workspace forbids unsafe code, so the signal is sent by `kill -KILL <pid>` (procps or
//! util-linux), which ends at once; nothing the generator starts keeps running.

use std::path::Path;

/// Checks that `pid` is a running `live-mini` process other than this one; says which.
pub(super) fn check_pid(pid: u32) -> Result<String, String> {
    check_pid_in(Path::new("/proc"), pid, std::process::id())
}

fn check_pid_in(proc_root: &Path, pid: u32, own: u32) -> Result<String, String> {
    if pid <= 1 || pid == own {
        return Err(format!("refusing to kill pid {pid}"));
    }
    let comm = std::fs::read_to_string(proc_root.join(pid.to_string()).join("comm"))
        .map_err(|e| format!("pid {pid}: cannot read its /proc entry ({})", e.kind()))?;
    let comm = comm.trim_end();
    if comm == "live-mini" {
        Ok(format!("pid {pid} is {comm}"))
    } else {
        Err(format!(
            "pid {pid} is {comm:?}, not live-mini: only a live-mini instance may be killed"
        ))
    }
}

/// Sends SIGKILL to `pid` (checked again just before, in case it was replaced).
pub(super) async fn sigkill(pid: u32) -> Result<(), String> {
    check_pid(pid)?;
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
    })
    .await
    .map_err(|e| format!("kill task: {e}"))?
    .map_err(|e| format!("cannot run kill: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("kill -KILL {pid} exited with {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_live_mini_process_qualifies() {
        let root = std::env::temp_dir().join(format!("loadgen-proc-{}", std::process::id()));
        for (pid, comm) in [(100, "live-mini\n"), (101, "postgres\n")] {
            let dir = root.join(pid.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("comm"), comm).unwrap();
        }
        assert!(check_pid_in(&root, 100, 5).is_ok());
        assert!(
            check_pid_in(&root, 101, 5)
                .unwrap_err()
                .contains("not live-mini")
        );
        assert!(check_pid_in(&root, 102, 5).is_err());
        assert!(check_pid_in(&root, 1, 5).is_err());
        assert!(check_pid_in(&root, 0, 5).is_err());
        assert!(check_pid_in(&root, 100, 100).is_err());
        std::fs::remove_dir_all(&root).unwrap();
        // This test process is not live-mini.
        assert!(check_pid(std::process::id()).is_err());
    }
}
