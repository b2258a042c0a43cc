//! The `health` subcommands: a container's HEALTHCHECK asks the server it runs beside, and slim
//! images have no curl. One HTTP/1.1 GET on loopback, judged by its status line.

use std::{net::SocketAddr, time::Duration};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Where to ask a server listening on `listen`: an unspecified address (`0.0.0.0`, `::`) is
/// reached on loopback.
pub fn local(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        ip if !ip.is_unspecified() => ip,
        std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
    };
    SocketAddr::new(ip, listen.port())
}

/// `GET path` on `address`: `Ok(status line)` for a 200, `Err(why)` otherwise (refused,
/// timed out, another status).
pub async fn check(address: SocketAddr, path: &str, timeout: Duration) -> Result<String, String> {
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("cannot send to {address}: {e}"))?;
        let mut head = Vec::with_capacity(256);
        let mut buf = [0u8; 256];
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = stream.read(&mut buf).await.map_err(|e| format!("{address}: {e}"))?;
            if n == 0 || head.len() > 4096 {
                return Err(format!("{address} closed the connection without a status line"));
            }
            head.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&head);
        let line = line.lines().next().unwrap_or_default().to_owned();
        match line.split(' ').nth(1) {
            Some("200") => Ok(line),
            _ => Err(format!("GET {path} on {address}: {line}")),
        }
    };
    tokio::time::timeout(timeout, ask)
        .await
        .unwrap_or_else(|_| Err(format!("GET {path} on {address}: no answer within {timeout:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_listen_address_is_asked_on_loopback() {
        assert_eq!(
            local("0.0.0.0:8000".parse().unwrap()),
            "127.0.0.1:8000".parse().unwrap()
        );
        assert_eq!(local("[::]:8000".parse().unwrap()), "[::1]:8000".parse().unwrap());
        assert_eq!(local("10.0.0.5:80".parse().unwrap()), "10.0.0.5:80".parse().unwrap());
    }

    #[tokio::test]
    async fn a_200_passes_and_anything_else_fails_with_the_reason() {
        // Given a server that answers 200 once, then 503
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for answer in ["HTTP/1.1 200 OK", "HTTP/1.1 503 Service Unavailable"] {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await.unwrap();
                s.write_all(format!("{answer}\r\ncontent-length: 0\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
            }
        });
        let wait = Duration::from_secs(5);
        assert_eq!(check(address, "/health", wait).await, Ok("HTTP/1.1 200 OK".into()));
        let refused = check(address, "/health", wait).await.unwrap_err();
        assert!(refused.contains("503"), "{refused}");
    }
}
