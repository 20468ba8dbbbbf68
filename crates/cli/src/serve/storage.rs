//! The data directory of `edgeflux serve`: snapshots plus a write-ahead log, crash-safe.
//!
//! Files: `snapshot-<gen>.efx` holds the engine state covering every log generation below
//! `<gen>`; `wal-<gen>.log` holds the records written after that snapshot, each as a
//! little-endian u32 length and the record (which carries its own CRC). Taking a snapshot
//! starts generation `gen+1`: new records go to the new log, the snapshot is written to a
//! temporary file, fsynced and renamed, and only then are older files removed. Recovery
//! loads the newest readable snapshot and replays the logs of its generation and later;
//! a torn record at the end of the last log (a crash mid-append) is cut off.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use edgeflux_api::Engine;

pub struct Storage {
    dir: PathBuf,
    generation: u64,
    wal: File,
    /// Bytes in the current log.
    wal_len: u64,
}

fn snapshot_name(generation: u64) -> String {
    format!("snapshot-{generation:020}.efx")
}

fn wal_name(generation: u64) -> String {
    format!("wal-{generation:020}.log")
}

fn parse_gen(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?
        .strip_suffix(suffix)?
        .parse()
        .ok()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// What recovery found, for the startup log line.
#[derive(Debug, Default)]
pub struct Recovery {
    pub snapshot_generation: Option<u64>,
    pub records: u64,
    pub truncated_bytes: u64,
}

/// The engine rebuilt from a data directory without changing anything in it, and where
/// the writable log continues (`Storage::open` cuts a torn tail off at `log_good_len`).
pub struct Recovered {
    pub engine: Engine,
    pub recovery: Recovery,
    /// The newest log generation (the snapshot's own when there is no log yet).
    pub log_generation: u64,
    /// Bytes of whole records at the start of that log.
    pub log_good_len: u64,
}

/// Reads the newest readable snapshot and the logs after it. Read only: `edgeflux query
/// --engine-path` uses it on the directory of a running (or stopped) `edgeflux serve`.
/// A torn record at the end of the last log is ignored (and reported), not cut off.
pub fn recover(dir: &Path) -> io::Result<Recovered> {
    let mut snapshots = Vec::new();
    let mut wals = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(g) = parse_gen(&name, "snapshot-", ".efx") {
            snapshots.push(g);
        } else if let Some(g) = parse_gen(&name, "wal-", ".log") {
            wals.push(g);
        }
    }
    snapshots.sort_unstable();
    wals.sort_unstable();
    let mut recovery = Recovery::default();

    let mut engine = None;
    let mut base = 0;
    for &g in snapshots.iter().rev() {
        let bytes = fs::read(dir.join(snapshot_name(g)))?;
        match Engine::restore(Some(&bytes), std::iter::empty()) {
            Ok(e) => {
                engine = Some(e);
                base = g;
                recovery.snapshot_generation = Some(g);
                break;
            }
            Err(e) => eprintln!("edgeflux: skipping unreadable snapshot {g}: {e}"),
        }
    }
    let mut engine = engine.unwrap_or_default();

    let replay: Vec<u64> = wals.iter().copied().filter(|g| *g >= base).collect();
    let mut current = base;
    let mut current_len = 0;
    for (i, &g) in replay.iter().enumerate() {
        let last = i + 1 == replay.len();
        let path = dir.join(wal_name(g));
        let mut bytes = Vec::new();
        File::open(&path)?.read_to_end(&mut bytes)?;
        let mut pos = 0usize;
        let good_end = loop {
            if pos == bytes.len() {
                break pos;
            }
            let Some(len_bytes) = bytes.get(pos..pos + 4) else {
                break pos;
            };
            let len = u32::from_le_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]])
                as usize;
            let Some(record) = bytes.get(pos + 4..pos + 4 + len) else {
                break pos;
            };
            if let Err(e) = engine.apply(record) {
                if last {
                    eprintln!("edgeflux: log {g}: bad record at byte {pos}: {e}");
                    break pos;
                }
                return Err(io::Error::other(format!(
                    "log {} is corrupt at byte {pos}: {e}",
                    path.display()
                )));
            }
            recovery.records += 1;
            pos += 4 + len;
        };
        if good_end < bytes.len() {
            if !last {
                return Err(io::Error::other(format!(
                    "log {} is truncated at byte {good_end}",
                    path.display()
                )));
            }
            recovery.truncated_bytes = (bytes.len() - good_end) as u64;
        }
        current = g;
        current_len = good_end as u64;
    }
    Ok(Recovered {
        engine,
        recovery,
        log_generation: current,
        log_good_len: current_len,
    })
}

impl Storage {
    /// Opens (creating) the directory and recovers the engine from it.
    pub fn open(dir: &Path) -> io::Result<(Storage, Engine, Recovery)> {
        fs::create_dir_all(dir)?;
        for entry in fs::read_dir(dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                // A snapshot that was never completed.
                let _ = fs::remove_file(dir.join(&name));
            }
        }
        let r = recover(dir)?;
        let path = dir.join(wal_name(r.log_generation));
        if r.recovery.truncated_bytes > 0 {
            let f = OpenOptions::new().write(true).open(&path)?;
            f.set_len(r.log_good_len)?;
            f.sync_all()?;
        }
        let wal = OpenOptions::new().create(true).append(true).open(&path)?;
        sync_dir(dir)?;
        Ok((
            Storage {
                dir: dir.to_path_buf(),
                generation: r.log_generation,
                wal,
                wal_len: r.log_good_len,
            },
            r.engine,
            r.recovery,
        ))
    }

    /// Appends records and makes them durable (fdatasync) before returning.
    pub fn append(&mut self, records: &[Vec<u8>]) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let total: usize = records.iter().map(|r| r.len() + 4).sum();
        let mut buf = Vec::with_capacity(total);
        for r in records {
            let len = u32::try_from(r.len()).map_err(|_| io::Error::other("record too large"))?;
            buf.extend_from_slice(&len.to_le_bytes());
            buf.extend_from_slice(r);
        }
        if let Err(e) = self.wal.write_all(&buf).and_then(|_| self.wal.sync_data()) {
            // Cut off whatever part was written, so the log stays a sequence of whole records.
            let _ = self.wal.set_len(self.wal_len);
            return Err(e);
        }
        self.wal_len += buf.len() as u64;
        Ok(())
    }

    /// Bytes in the current log generation.
    pub fn wal_len(&self) -> u64 {
        self.wal_len
    }

    /// Writes a snapshot of `engine` (which must reflect every appended record) and drops
    /// the logs it covers.
    pub fn snapshot(&mut self, engine: &Engine) -> io::Result<()> {
        let next = self.generation + 1;
        let new_wal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(wal_name(next)))?;
        sync_dir(&self.dir)?;
        let bytes = engine.snapshot();
        let tmp = self.dir.join(format!("{}.tmp", snapshot_name(next)));
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, self.dir.join(snapshot_name(next)))?;
        sync_dir(&self.dir)?;
        self.wal = new_wal;
        self.wal_len = 0;
        let old = self.generation;
        self.generation = next;
        for g in 0..=old {
            let _ = fs::remove_file(self.dir.join(wal_name(g)));
        }
        for entry in fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if parse_gen(&name, "snapshot-", ".efx").is_some_and(|g| g < next) {
                let _ = fs::remove_file(self.dir.join(&name));
            }
        }
        sync_dir(&self.dir)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use edgeflux_api::{Env, Request};

    /// A fixed clock and a deterministic random source (also used by `query`'s tests).
    pub(crate) struct TestEnv(pub u64);

    impl Env for TestEnv {
        fn now_ns(&self) -> i64 {
            1_700_000_000_000_000_000
        }
        fn fill_random(&mut self, buf: &mut [u8]) {
            for b in buf {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = (self.0 >> 56) as u8;
            }
        }
    }

    pub(crate) fn temp_dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("edgeflux-storage-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    /// Handles one POST with token `T`, persists its log records and applies them.
    pub(crate) fn run(
        storage: &mut Storage,
        engine: &mut Engine,
        env: &mut TestEnv,
        path: &str,
        query: &str,
        body: &str,
    ) -> u16 {
        let req = Request {
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            headers: vec![("Authorization".into(), "Token T".into())],
            body: body.as_bytes().to_vec(),
        };
        let handled = engine.handle(&req, env);
        storage.append(&handled.log).unwrap();
        for r in &handled.log {
            engine.apply(r).unwrap();
        }
        handled.response.status
    }

    fn series(engine: &Engine) -> String {
        let req = Request {
            method: "GET".into(),
            path: "/metrics".into(),
            ..Request::default()
        };
        let body = engine.handle(&req, &mut TestEnv(0)).response.body;
        String::from_utf8(body)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("edgeflux_series_total"))
            .unwrap()
            .to_string()
    }

    #[test]
    fn recovers_log_and_snapshot_and_cuts_a_torn_tail() {
        let dir = temp_dir("recover");
        let mut env = TestEnv(1);
        let (mut storage, mut engine, rec) = Storage::open(&dir).unwrap();
        assert_eq!(rec.records, 0);
        assert!(!engine.is_onboarded());
        let setup = r#"{"username":"u","org":"o","bucket":"b","token":"T"}"#;
        assert_eq!(
            run(
                &mut storage,
                &mut engine,
                &mut env,
                "/api/v2/setup",
                "",
                setup
            ),
            201
        );
        assert_eq!(
            run(
                &mut storage,
                &mut engine,
                &mut env,
                "/api/v2/write",
                "org=o&bucket=b",
                "m,h=a v=1 1\nm,h=b v=2 2"
            ),
            204
        );
        drop(storage);

        // A crash mid-append leaves half a record at the end.
        let wal = dir.join(wal_name(0));
        let mut f = OpenOptions::new().append(true).open(&wal).unwrap();
        f.write_all(&[200, 0, 0, 0, b'E', b'F']).unwrap();
        drop(f);
        let (mut storage, mut engine, rec) = Storage::open(&dir).unwrap();
        assert_eq!(rec.records, 2);
        assert_eq!(rec.truncated_bytes, 6);
        assert!(engine.is_onboarded());
        assert_eq!(series(&engine), "edgeflux_series_total 2");

        // Snapshot, more log, reopen: snapshot + the newer log.
        storage.snapshot(&engine).unwrap();
        assert_eq!(
            run(
                &mut storage,
                &mut engine,
                &mut env,
                "/api/v2/write",
                "org=o&bucket=b",
                "m,h=c v=3 3"
            ),
            204
        );
        drop(storage);
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names.contains(&wal_name(0)),
            "covered log removed: {names:?}"
        );
        let (_, engine, rec) = Storage::open(&dir).unwrap();
        assert_eq!(rec.snapshot_generation, Some(1));
        assert_eq!(rec.records, 1);
        assert_eq!(series(&engine), "edgeflux_series_total 3");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn corruption_before_the_last_log_is_an_error() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(wal_name(0)), [3, 0, 0, 0, 1, 2, 3]).unwrap();
        fs::write(dir.join(wal_name(1)), []).unwrap();
        assert!(Storage::open(&dir).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
