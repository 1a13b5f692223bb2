//! TLS trust and proxies the AWS way, black-box.
//!
//! TLS: a TLS front (tokio-rustls, certificates made here with `rcgen`) on
//! 127.0.0.1 relays to the in-process S3 server; it counts the connections it
//! accepts, so a test can see that a refused certificate is not retried.
//! Proxies: a tiny proxy on 127.0.0.1 (forward and CONNECT) that maps the test
//! host name `s3.test` — which the system resolver cannot resolve — to 127.0.0.1
//! and logs the first request line of every connection. Loopback endpoints are
//! never proxied, hence the made-up name. Nothing leaves the machine.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{TestEnv, TestServer};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate and its key, DER.
struct Cert {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// A test CA.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let pem = params.self_signed(&key).unwrap().pem();
    Ca { params, key, pem }
}

fn key_der(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// A leaf for `names`, signed by `ca`.
fn leaf(ca: &Ca, names: &[&str]) -> Cert {
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let issuer = Issuer::from_params(&ca.params, &ca.key);
    let cert = params.signed_by(&key, &issuer).unwrap();
    Cert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: key_der(&key),
    }
}

/// A self-signed certificate marked CA:TRUE (what `openssl req -x509` makes).
fn self_signed_ca(names: &[&str], expired: bool) -> Cert {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    if expired {
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    }
    let cert = params.self_signed(&key).unwrap();
    Cert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: key_der(&key),
    }
}

/// A TLS front on 127.0.0.1 relaying to `backend`; counts accepted connections.
struct TlsFront {
    port: u16,
    connections: Arc<AtomicU64>,
}

impl TlsFront {
    fn start(backend: &str, cert: &Cert) -> TlsFront {
        let backend: SocketAddr = backend.trim_start_matches("http://").parse().unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der.clone()], cert.key.clone_key())
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicU64::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((sock, _)) = listener.accept().await else {
                        continue;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(sock).await else {
                            return;
                        };
                        let Ok(mut back) = tokio::net::TcpStream::connect(backend).await else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut back).await;
                    });
                }
            });
        });
        TlsFront { port, connections }
    }

    fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A forward and CONNECT proxy on 127.0.0.1 that knows one host, `s3.test`.
struct Proxy {
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        std::thread::spawn(move || {
            for sock in listener.incoming().flatten() {
                let log = log2.clone();
                std::thread::spawn(move || proxy_connection(sock, &log));
            }
        });
        Proxy { url, log }
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn proxy_connection(mut client: TcpStream, log: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    log.lock().unwrap().push(line.clone());
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let authority = match method {
        "CONNECT" => target,
        _ => target
            .strip_prefix("http://")
            .and_then(|t| t.split('/').next())
            .unwrap_or(""),
    };
    let Some(port) = authority.strip_prefix("s3.test:") else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())) else {
        return;
    };
    if method == "CONNECT" {
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
    } else {
        // hyper's server accepts absolute-form request targets: pass them on.
        server.write_all(&head).unwrap();
    }
    let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut s2);
        let _ = s2.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `s5rs --json --endpoint-url <endpoint> <args>`, environment `vars` added.
fn run(env: &TestEnv, endpoint: &str, vars: &[(&str, &str)], args: &[&str]) -> common::Outcome {
    let mut cmd = env.bare_command();
    cmd.env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--json", "--endpoint-url", endpoint])
        .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    common::Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn aws_ca_bundle_trusts_a_private_ca_and_an_untrusted_server_fails_once_with_advice() {
    let env = TestEnv::new();
    env.put("a.txt", b"hello tls");
    let ca = ca("s5rs test CA");
    let front = TlsFront::start(&env.server.endpoint, &leaf(&ca, &["127.0.0.1"]));
    let endpoint = format!("https://127.0.0.1:{}", front.port);
    let bundle = write(env.path(), "ca.pem", &ca.pem);

    // Not trusted: one connection (no retries), an error that says what to do.
    let out = run(&env, &endpoint, &[], &["cp", "s3://bkt/a.txt", "x.txt"]);
    out.code(1);
    assert_eq!(front.connections(), 1, "retried: {}", out.stderr);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.stdout);
    let error = records[0].error.clone().unwrap();
    assert!(
        error.starts_with(&format!("source endpoint {endpoint}: ")),
        "{error}"
    );
    assert!(error.contains("UnknownIssuer"), "{error}");
    let order: Vec<usize> = [
        "AWS_CA_BUNDLE",
        "ca_bundle",
        "SSL_CERT_FILE",
        "--no-verify-ssl",
    ]
    .iter()
    .map(|s| {
        error
            .find(s)
            .unwrap_or_else(|| panic!("{s} missing: {error}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{error}");
    assert!(env.read_file("x.txt").is_none());

    // Trusted through AWS_CA_BUNDLE.
    let vars = [("AWS_CA_BUNDLE", bundle.to_str().unwrap())];
    let out = run(&env, &endpoint, &vars, &["cp", "s3://bkt/a.txt", "x.txt"]);
    out.code(0);
    assert_eq!(env.read_file("x.txt").as_deref(), Some(&b"hello tls"[..]));

    // A bundle that does not hold the CA is named in the error.
    let other = write(env.path(), "other.pem", &ca_pem_other());
    let vars = [("AWS_CA_BUNDLE", other.to_str().unwrap())];
    let out = run(&env, &endpoint, &vars, &["ls", "s3://bkt/"]);
    out.code(1);
    assert!(
        out.stdout.contains("other.pem from AWS_CA_BUNDLE"),
        "{}",
        out.stdout
    );

    // --no-verify-ssl still works without any bundle.
    let out = run(
        &env,
        &endpoint,
        &[],
        &["--no-verify-ssl", "ls", "s3://bkt/"],
    );
    out.code(0);
    assert!(out.stdout.contains("a.txt"), "{}", out.stdout);
}

fn ca_pem_other() -> String {
    ca("another CA").pem
}

#[test]
fn a_self_signed_ca_true_certificate_in_the_bundle_is_trusted_for_its_names_only() {
    let env = TestEnv::new();
    env.put("a.txt", b"self-signed");
    let cert = self_signed_ca(&["127.0.0.1"], false);
    let front = TlsFront::start(&env.server.endpoint, &cert);
    let bundle = write(env.path(), "self.pem", &cert.pem);
    let vars = [("AWS_CA_BUNDLE", bundle.to_str().unwrap())];

    let endpoint = format!("https://127.0.0.1:{}", front.port);
    let out = run(&env, &endpoint, &vars, &["cp", "s3://bkt/a.txt", "a.txt"]);
    out.code(0);
    assert_eq!(env.read_file("a.txt").as_deref(), Some(&b"self-signed"[..]));

    // The same certificate for a name it does not carry: refused.
    let by_name = format!("https://localhost:{}", front.port);
    let out = run(&env, &by_name, &vars, &["cp", "s3://bkt/a.txt", "b.txt"]);
    out.code(1);
    assert!(
        out.stdout
            .contains("certificate not valid for name \\\"localhost\\\"")
            && out.stdout.contains("issued for other host names"),
        "{}",
        out.stdout
    );
    assert!(env.read_file("b.txt").is_none());

    // An expired one in the bundle: refused as expired.
    let old = self_signed_ca(&["127.0.0.1"], true);
    let old_front = TlsFront::start(&env.server.endpoint, &old);
    let old_bundle = write(env.path(), "old.pem", &old.pem);
    let vars = [("AWS_CA_BUNDLE", old_bundle.to_str().unwrap())];
    let endpoint = format!("https://127.0.0.1:{}", old_front.port);
    let out = run(&env, &endpoint, &vars, &["cp", "s3://bkt/a.txt", "c.txt"]);
    out.code(1);
    assert!(
        out.stdout.contains("certificate expired") && out.stdout.contains("renew it"),
        "{}",
        out.stdout
    );
    assert!(env.read_file("c.txt").is_none());
}

#[test]
fn each_profile_trusts_its_own_ca_bundle_in_a_cross_endpoint_copy() {
    let env = TestEnv::new();
    env.put("a.txt", b"across");
    let dest = TestServer::start();
    std::fs::create_dir_all(dest.root().join("dst")).unwrap();
    let (ca1, ca2) = (ca("source CA"), ca("destination CA"));
    let src_front = TlsFront::start(&env.server.endpoint, &leaf(&ca1, &["127.0.0.1"]));
    let dst_front = TlsFront::start(&dest.endpoint, &leaf(&ca2, &["127.0.0.1"]));
    let ca1_path = write(env.path(), "ca1.pem", &ca1.pem);
    let ca2_path = write(env.path(), "ca2.pem", &ca2.pem);
    let config = write(
        env.path(),
        "config",
        &format!(
            "[profile src]\nregion = us-east-1\nca_bundle = {}\n\
             [profile dst]\nregion = us-east-1\nca_bundle = {}\n",
            ca1_path.display(),
            ca2_path.display()
        ),
    );
    let creds = write(
        env.path(),
        "credentials",
        &format!(
            "[src]\naws_access_key_id = {}\naws_secret_access_key = {}\n\
             [dst]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            env.server.access_key, env.server.secret_key, dest.access_key, dest.secret_key
        ),
    );
    let copy = |src_profile: &str, dst_profile: &str, key: &str| {
        let mut cmd = env.bare_command();
        cmd.env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds)
            .args(["--json"])
            .args([
                "--source-endpoint-url",
                &format!("https://127.0.0.1:{}", src_front.port),
            ])
            .args([
                "--destination-endpoint-url",
                &format!("https://127.0.0.1:{}", dst_front.port),
            ])
            .args([
                "--source-profile",
                src_profile,
                "--destination-profile",
                dst_profile,
            ])
            .args(["cp", "s3://bkt/a.txt", &format!("s3://dst/{key}")]);
        let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, stdout) = copy("src", "dst", "b.txt");
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(
        dest.object_bytes("dst", "b.txt").as_deref(),
        Some(&b"across"[..])
    );
    // The destination profile's CA does not vouch for the source: refused there.
    let (code, stdout) = copy("dst", "dst", "c.txt");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("source endpoint https://127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains("ca_bundle of profile dst"), "{stdout}");
    assert!(dest.object_bytes("dst", "c.txt").is_none());
}

#[test]
fn http_proxy_forwards_plain_http_requests() {
    let env = TestEnv::new();
    env.put("a.txt", b"via proxy");
    let proxy = Proxy::start();
    let port = env.server.endpoint.rsplit(':').next().unwrap().to_owned();
    let endpoint = format!("http://s3.test:{port}");
    let vars = [("http_proxy", proxy.url.as_str())];
    let out = run(
        &env,
        &endpoint,
        &vars,
        &["cp", "s3://bkt/a.txt", "s3://bkt/b.txt"],
    );
    out.code(0);
    assert_eq!(env.get("b.txt").as_deref(), Some(&b"via proxy"[..]));
    let log = proxy.log();
    assert!(!log.is_empty());
    for line in &log {
        assert!(
            line.contains(&format!(" http://s3.test:{port}/bkt/")),
            "{log:?}"
        );
    }
    // NO_PROXY names the host: s5rs goes direct, and s3.test does not resolve.
    let before = proxy.log().len();
    let vars = [("HTTP_PROXY", proxy.url.as_str()), ("NO_PROXY", "s3.test")];
    let out = run(&env, &endpoint, &vars, &["ls", "s3://bkt/"]);
    out.code(1);
    assert!(out.stdout.contains("cannot resolve host"), "{}", out.stdout);
    assert_eq!(proxy.log().len(), before);
    // Loopback endpoints are never proxied.
    let out = run(&env, &env.server.endpoint, &vars[..1], &["ls", "s3://bkt/"]);
    out.code(0);
    assert!(out.stdout.contains("b.txt"), "{}", out.stdout);
    assert_eq!(proxy.log().len(), before);
}

#[test]
fn https_proxy_tunnels_with_connect() {
    let env = TestEnv::new();
    env.put("a.txt", b"tunnelled");
    let ca = ca("tunnel CA");
    let front = TlsFront::start(&env.server.endpoint, &leaf(&ca, &["s3.test"]));
    let bundle = write(env.path(), "ca.pem", &ca.pem);
    let proxy = Proxy::start();
    let endpoint = format!("https://s3.test:{}", front.port);
    let vars = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("AWS_CA_BUNDLE", bundle.to_str().unwrap()),
    ];
    let out = run(
        &env,
        &endpoint,
        &vars,
        &["cp", "s3://bkt/a.txt", "s3://bkt/b.txt"],
    );
    out.code(0);
    assert_eq!(env.get("b.txt").as_deref(), Some(&b"tunnelled"[..]));
    let log = proxy.log();
    assert!(!log.is_empty());
    for line in &log {
        assert_eq!(line, &format!("CONNECT s3.test:{} HTTP/1.1", front.port));
    }
}
