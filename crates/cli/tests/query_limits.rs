//! Query limits against a real `edgeflux serve`: a query over `--query-memory-bytes` is
//! refused with Flux's memory error, a query past `--query-timeout` is stopped with 408,
//! and the server stays responsive: the stopped query gave back its only query slot (the
//! next query is not refused with 429) and the engine lock writes wait for.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "limits-test-token";

/// A running `edgeflux serve` in a fresh data directory, stopped on drop.
struct Server {
    child: Child,
    addr: String,
    dir: std::path::PathBuf,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let addr = format!("127.0.0.1:{port}");
        let dir =
            std::env::temp_dir().join(format!("edgeflux-limits-{}-{port}", std::process::id()));
        let child = Command::new(env!("CARGO_BIN_EXE_edgeflux"))
            .arg("serve")
            .args(["--http-bind-address", &addr])
            .arg("--engine-path")
            .arg(&dir)
            .args(args)
            .env("EDGEFLUX_INIT_USERNAME", "u")
            .env("EDGEFLUX_INIT_PASSWORD", "password123")
            .env("EDGEFLUX_INIT_ORG", "o")
            .env("EDGEFLUX_INIT_BUCKET", "b")
            .env("EDGEFLUX_INIT_ADMIN_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("edgeflux serve starts");
        let server = Server { child, addr, dir };
        let started = Instant::now();
        while server.try_request("GET", "/health", "").is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "serve did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn try_request(&self, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
        let mut stream = TcpStream::connect(&self.addr).ok()?;
        let content_type = if path.starts_with("/api/v2/query") {
            "application/vnd.flux"
        } else {
            "text/plain; charset=utf-8"
        };
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Token {TOKEN}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body.as_bytes()).ok()?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).ok()?;
        let status = raw.split(' ').nth(1)?.parse().ok()?;
        let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
        Some((status, body))
    }

    fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        self.try_request(method, path, body)
            .unwrap_or_else(|| panic!("{method} {path}: no answer"))
    }

    fn query(&self, flux: &str) -> (u16, String) {
        self.request("POST", "/api/v2/query?org=o", flux)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `n` points of one series, one per second from the epoch.
fn points(n: usize) -> String {
    (0..n)
        .map(|i| format!("m,host=a v={i} {i}\n"))
        .collect::<String>()
}

#[test]
fn queries_over_their_limits_stop_and_the_server_stays_responsive() {
    let server = Server::start(&[
        "--query-memory-bytes",
        "4000000",
        "--query-timeout",
        "1",
        "--query-concurrency",
        "1",
        "--query-queue-size",
        "0",
    ]);
    let (status, body) = server.request(
        "POST",
        "/api/v2/write?org=o&bucket=b&precision=s",
        &points(100_000),
    );
    assert_eq!(status, 204, "{body}");

    // 100,000 rows of ~76 bytes materialised: over a 4 MB budget.
    let (status, body) = server.query(r#"from(bucket: "b") |> range(start: 0)"#);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains(r#""code":"invalid""#), "{body}");
    assert!(
        body.contains("memory allocation limit reached: limit 4000000 bytes"),
        "{body}"
    );

    // 45,000 rows fit; fifty chained maps make 2.25 million row closures, far longer
    // than the one-second deadline in a debug build.
    let maps = " |> map(fn: (r) => ({r with _value: r._value + 1.0}))".repeat(50);
    let heavy = format!(r#"from(bucket: "b") |> range(start: 0, stop: 45000){maps}"#);
    let (status, body) = server.query(&heavy);
    assert_eq!(status, 408, "{body}");
    assert!(body.contains(r#""code":"invalid""#), "{body}");
    assert!(
        body.contains("query canceled: context deadline exceeded (--query-timeout 1s)"),
        "{body}"
    );

    // The stopped query gave its only query slot back before it was answered: with no
    // queue, a query still running would make this one 429. Writes then get the engine lock.
    let (status, body) =
        server.query(r#"from(bucket: "b") |> range(start: 0, stop: 10) |> count()"#);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(",v,m,a,10"), "{body}");
    assert_eq!(server.request("GET", "/health", "").0, 200);
    let (status, body) = server.request(
        "POST",
        "/api/v2/write?org=o&bucket=b&precision=s",
        "m,host=b v=1 5\n",
    );
    assert_eq!(status, 204, "{body}");
    let (status, body) =
        server.query(r#"from(bucket: "b") |> range(start: 0) |> filter(fn: (r) => r.host == "b")"#);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(",1,v,m,b"), "{body}");
}
