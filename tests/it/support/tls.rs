//! A loopback TLS server whose certificate no one trusts (a self-signed fixture,
//! `tests/fixtures/validate/tls`): clients that verify certificates give up in the handshake.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Starts the server; returns its `https://` base URL.
pub fn untrusted() -> String {
    let pem = |name: &str| {
        std::fs::read(super::fixture(&format!("validate/tls/{name}"))).expect("TLS fixture")
    };
    let cert = CertificateDer::from_pem_slice(&pem("cert.pem")).expect("certificate");
    let key = PrivateKeyDer::from_pem_slice(&pem("key.pem")).expect("private key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                // Drives the handshake until the client gives up on the certificate.
                let _ = tls.read(&mut [0u8; 1024]);
            });
        }
    });
    format!("https://{addr}")
}
